import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import NIOCore
import NIOHTTP1
import Testing
import UPSSandbox

/// The engine against a sandbox that holds UPS to its documented contract (UPS-OAUTH.md):
/// exactly one form of client authentication per code exchange, Basic credentials as UPS's
/// SDKs build them, token answers without the optional fields, UPS's current lifetimes, and
/// `/authorize` failing where IPM cannot see it.
@Suite("UPS's contract, strictly")
struct StrictUPSContractTests {
    /// The sandbox's defaults (UPS's current lifetimes: 3599 s access tokens) for the harness's app.
    static func strict(_ adjust: (inout SandboxConfiguration) -> Void = { _ in }) -> SandboxConfiguration {
        var configuration = EngineHarness.sandboxConfiguration(lifetimes: Lifetimes())
        adjust(&configuration)
        return configuration
    }

    @Test(
        "the code is redeemed in exactly one documented form, PKCE on or off; UPS's one-hour tokens are read from the answer; refreshes use Basic",
        arguments: [false, true])
    func optInAndRefresh(pkce: Bool) async throws {
        try await EngineHarness.run(pkce: pkce, sandbox: Self.strict()) { harness in
            let session = SessionBinding(Secret("session-\(UUID())"))
            let start = try await harness.optIn.start(.id(harness.company.id), by: harness.admin, session: session)
            let query = URLComponents(url: start.authorizationURL, resolvingAgainstBaseURL: false)?.queryItems ?? []
            #expect(query.contains { $0.name == "code_challenge" } == pkce)
            let back = try await harness.browser.signIn(
                authorizationURL: start.authorizationURL, username: EngineHarness.upsUser, password: EngineHarness.upsPassword)
            _ = try await harness.optIn.complete(OptInCallback(redirectedURL: back), session: session)

            let connection = try await harness.connection()
            #expect(connection.status == .authenticated)
            let expiry = try #require(connection.accessTokenExpiresAt)
            #expect(abs(expiry.timeIntervalSince(harness.clock.now()) - 3599) < 60, "\(expiry)")
            #expect(harness.sandbox.counters[.codesRedeemed] == 1)
            #expect(harness.sandbox.counters[.codesRefused] == 0)

            let outcome = await harness.refresher.refresh(harness.company.id, force: true)
            guard case .refreshed = outcome else {
                Issue.record("refresh: \(outcome)")
                return
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 1)
            let tokens = try #require(try await harness.storedTokens())
            #expect(try await harness.track(with: tokens.access) == 200)
        }
    }

    @Test("a client secret with characters RFC 6749 would percent-encode authenticates as UPS's SDKs send it")
    func basicCredentialsAsUPSsSDKsBuildThem() async throws {
        let secret = "p+s/w=rd :x&y%"
        let configuration = Self.strict { $0.clients[0].clientSecret = secret }
        try await EngineHarness.run(clientSecret: secret, pkce: false, sandbox: configuration) { harness in
            try await harness.optInFully()
            let outcome = await harness.refresher.refresh(harness.company.id, force: true)
            guard case .refreshed = outcome else {
                Issue.record("refresh: \(outcome)")
                return
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 1)
        }
    }

    @Test("token answers without scope and refresh_count are used as they are", arguments: [false, true])
    func answersWithoutOptionalFields(pkce: Bool) async throws {
        let configuration = Self.strict { $0.tokenResponse = TokenResponseFields(includesScope: false, includesRefreshCount: false) }
        try await EngineHarness.run(pkce: pkce, sandbox: configuration) { harness in
            try await harness.optInFully()
            #expect(try await harness.connection().status == .authenticated)
            for _ in 0..<2 {
                let outcome = await harness.refresher.refresh(harness.company.id, force: true)
                guard case .refreshed = outcome else {
                    Issue.record("refresh: \(outcome)")
                    return
                }
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 2)
            let tokens = try #require(try await harness.storedTokens())
            #expect(try await harness.track(with: tokens.access) == 200)
        }
    }

    @Test(
        "an opt-in that UPS's /authorize never lets come back waits, then expires, and says why in plain words",
        arguments: [AuthorizeFault.Mode.errorPage, .errorHeaders])
    func anOptInThatNeverComesBackExpires(mode: AuthorizeFault.Mode) async throws {
        try await EngineHarness.run(sandbox: Self.strict { $0.authorizeFault = AuthorizeFault(mode: mode) }) { harness in
            let access = harness.companyAccess
            let start = try await harness.optIn.start(.id(harness.company.id), by: harness.admin, session: SessionBinding(Secret("s-1")))
            // The browser's first step: UPS's error page, or an error answer with errorcode headers.
            switch mode {
            case .errorPage:
                let landed = try await harness.browser.redirectTarget(of: start.authorizationURL, method: .GET)
                #expect(landed.absoluteString == "https://www.ups.com/error.page")
            case .errorHeaders:
                await #expect(throws: (any Error).self) { try await harness.browser.redirectTarget(of: start.authorizationURL, method: .GET) }
            }
            let startedAt = OptInAttempt.display(start.expiresAt.addingTimeInterval(-AuthorizationRequest.lifetime))
            let until = OptInAttempt.display(start.expiresAt)

            let waiting = try #require(try await access.company(.id(harness.company.id), for: harness.admin).optIn)
            #expect(waiting.state == .waiting)
            #expect(waiting.message == "The opt-in started at \(startedAt) by alice is waiting for the UPS.com sign-in until \(until).")

            harness.clock.advance(by: AuthorizationRequest.lifetime + 1)
            let overview = try await access.company(.id(harness.company.id), for: harness.admin)
            #expect(overview.connection.status == .notConnected, "nothing about the company changed")
            let expired = try #require(overview.optIn)
            #expect(expired.state == .expired)
            #expect(
                expired.message
                    == "The opt-in started at \(startedAt) by alice did not come back from UPS and expired at \(until); UPS may have shown an error page. Start again."
            )
            #expect(try await access.overview(for: harness.admin).allSatisfy { $0.optIn == nil }, "lists leave it out")

            // A successful opt-in afterwards makes it moot…
            try harness.sandbox.setAuthorizeFault(nil)
            try await harness.optInFully()
            #expect(try await access.company(.id(harness.company.id), for: harness.admin).optIn == nil)
            // …and a later one that never comes back is told of even while authenticated.
            try harness.sandbox.setAuthorizeFault(AuthorizeFault(mode: mode))
            _ = try await harness.optIn.start(.id(harness.company.id), by: harness.admin, session: SessionBinding(Secret("s-2")))
            harness.clock.advance(by: AuthorizationRequest.lifetime + 1)
            let again = try await access.company(.id(harness.company.id), for: harness.admin)
            #expect(again.connection.status == .authenticated)
            #expect(again.optIn?.state == .expired)
        }
    }

    @Test("the JSON API's company status and the web's company page tell of the opt-in that never came back")
    func apiAndWebSayWhy() async throws {
        try await HTTPHarness.run(sandbox: Self.strict { $0.authorizeFault = AuthorizeFault(mode: .errorPage) }) { harness in
            let engine = harness.engine
            let start = try await engine.optIn.start(.id(engine.company.id), by: engine.admin, session: SessionBinding(Secret("s-1")))
            _ = try await engine.browser.redirectTarget(of: start.authorizationURL, method: .GET)
            engine.clock.advance(by: AuthorizationRequest.lifetime + 1)
            let cookie = try await harness.browserCookie()
            try await harness.test { client in
                let api = try await client.execute(uri: "/api/v1/companies/\(harness.companyID)", method: .get, headers: cookie, body: nil)
                #expect(api.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(api.body.readableBytesView)) as? [String: Any])
                let optIn = try #require(json["optIn"] as? [String: Any], "\(json)")
                #expect(optIn["state"] as? String == "expired")
                #expect(optIn["startedBy"] as? String == "alice")
                #expect((optIn["message"] as? String)?.contains("did not come back from UPS and expired at") == true)
                #expect(optIn["expiresAt"] is String && optIn["startedAt"] is String)
                let list = try await client.execute(uri: "/api/v1/companies", method: .get, headers: cookie, body: nil)
                #expect(!String(buffer: list.body).contains("optIn"))

                for page in ["/companies/\(harness.companyID)", "/companies/\(harness.companyID)/api"] {
                    let html = String(buffer: try await client.execute(uri: page, method: .get, headers: cookie, body: nil).body)
                    #expect(html.contains("by alice did not come back from UPS and expired at"), "\(page): \(html)")
                    #expect(html.contains("UPS may have shown an error page. Start again."))
                }
            }
        }
    }

    @Test(
        "UPS's 250002 to a renewed token through the proxy: the problem says the API may not be enabled for IPM's app, or the authorization is not accepted"
    )
    func proxy250002SaysBoth() async throws {
        try await HTTPHarness.run(sandbox: Self.strict { $0.clients[0].apis = ["rating"] }) { harness in
            try await harness.engine.optInFully()
            let token = try await harness.serviceToken([.proxy])
            try await harness.test { client in
                let response = try await UPSProxyRouteTests.proxy(client, harness, UPSProxyRouteTests.tracking, token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let detail = try #require(problem["detail"] as? String)
                #expect(detail.contains("(250002 Invalid Authentication Information)"), "\(detail)")
                #expect(detail.contains("this API is not enabled for IPM's app at UPS"))
                #expect(detail.contains("an admin of the company opts in again"))
            }
            let counters = harness.engine.sandbox.counters
            // The token was issued by the opt-in moments ago: it is not renewed again (decision 37),
            // and UPS's refusal of so fresh a token is believed at once.
            #expect(counters[.refreshesServed] == 0)
            #expect(counters[.resourceCallsUnauthorized] == 1)
            #expect(harness.engine.logs.all.contains { $0.contains("the API may not be enabled for IPM's UPS app") })
        }
    }
}

extension EngineHarness {
    /// `CompanyAccess` as the composition root builds it, started opt-ins included.
    var companyAccess: CompanyAccess {
        CompanyAccess(
            companies: services.companies, memberships: services.memberships, connections: connections, audit: audit, clock: clock,
            requests: PostgresAuthorizationRequestRepository(client: database.client)
        )
    }
}
