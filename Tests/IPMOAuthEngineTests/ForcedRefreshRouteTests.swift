import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import Testing
import UPSSandbox

/// "Refresh now": `POST /api/v1/companies/{id}/ups/refresh` and the company page's button,
/// through the router, on the real engine, the running sandbox and PostgreSQL. The sandbox's
/// counters say how many refreshes UPS really served.
@Suite("Forced refresh")
struct ForcedRefreshRouteTests {
    static func refresh(_ client: any TestClientProtocol, company: String, headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/companies/\(company)/ups/refresh", method: .post, headers: headers, body: nil)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// A terminal sign-in's bearer token for `name`.
    static func bearer(_ harness: HTTPHarness, _ name: String) async throws -> HTTPFields {
        let issued = try await harness.sessions.signIn(name, password: try Password("correct horse battery"), clientAddress: nil, kind: .cli)
        return HTTPHarness.bearer(issued.token.value)
    }

    static func forcedEvents(_ harness: HTTPHarness) async throws -> [AuditEvent] {
        try await harness.engine.events().filter { $0.action == .refreshForced }
    }

    @Test("an admin's forced refresh renews the pair once, answers its outcome and is recorded as theirs; another within the interval is 429")
    func adminRefreshesOnceAndIsLimited() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let before = try #require(try await harness.engine.storedTokens())
            let alice = try await Self.bearer(harness, "alice")
            try await harness.test { client in
                let response = try await Self.refresh(client, company: harness.companyID, headers: alice)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(response.headers[.contentType] == "application/json")
                let answer = try Self.json(response)
                #expect(answer["outcome"] as? String == "refreshed")
                #expect((answer["detail"] as? String)?.hasPrefix("Refreshed: UPS issued a new token pair") == true)
                #expect(answer["accessTokenExpiresAt"] is String)
                #expect((answer["company"] as? [String: Any])?["status"] as? String == "authenticated")
                #expect(harness.engine.sandbox.counters[.refreshesServed] == 1)
                let after = try #require(try await harness.engine.storedTokens())
                #expect(after.refresh != before.refresh && after.access != before.access)
                #expect(try await harness.engine.track(with: after.access) == 200)

                let recorded = try await Self.forcedEvents(harness)
                #expect(recorded.count == 1)
                #expect(recorded.first?.actor == .admin(harness.engine.admin.id, harness.engine.admin.signInName))
                #expect(recorded.first?.detail.hasPrefix("Outcome: refreshed; the new access token expires at") == true)

                let again = try await Self.refresh(client, company: harness.companyID, headers: alice)
                #expect(again.status == .tooManyRequests)
                #expect(again.headers[.contentType] == "application/problem+json")
                let seconds = try #require(again.headers[.retryAfter].flatMap { Int($0) })
                #expect((1...30).contains(seconds))
                let problem = try Self.json(again)
                #expect(problem["outcome"] as? String == "limited")
                #expect((problem["detail"] as? String)?.contains("less than 30 seconds ago; try again in \(seconds) second") == true)
                #expect(harness.engine.sandbox.counters[.refreshesServed] == 1, "a limited request sends nothing to UPS")
                #expect(try await Self.forcedEvents(harness).count == 1, "nor is it recorded")

                // The interval passes: the next one is allowed.
                harness.engine.clock.advance(by: HTTPHarness.forcedRefreshInterval + 1)
                let later = try await Self.refresh(client, company: harness.companyID, headers: alice)
                #expect(later.status == .ok)
                #expect(harness.engine.sandbox.counters[.refreshesServed] == 2)
            }
            #expect(harness.engine.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("concurrent forced refreshes: UPS serves exactly one; every other answer is limited or busy")
    func concurrentForcedRefreshesRefreshOnce() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let alice = try await Self.bearer(harness, "alice")
            try await harness.test { client in
                // The same admin from a terminal and from scripts, eight at once.
                let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            let response = try await Self.refresh(client, company: harness.companyID, headers: alice)
                            return (Int(response.status.code), try Self.json(response)["outcome"] as? String)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.filter { $0.0 == 200 }.count == 1, "\(answers)")
                for (status, outcome) in answers where status != 200 {
                    #expect(status == 429 && outcome == "limited" || status == 409 && outcome == "busy", "\(answers)")
                }
                #expect(harness.engine.sandbox.counters[.refreshesServed] == 1)
                #expect(try await Self.forcedEvents(harness).count == answers.filter { $0.1 != "limited" }.count)
            }
            #expect(harness.engine.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(try await harness.engine.connection().status == .authenticated)
        }
    }

    @Test("a refresh already under way elsewhere is busy: nothing more goes to UPS")
    func underWayIsBusy() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let alice = try await Self.bearer(harness, "alice")
            try await harness.test { client in
                // Another holder (the worker, another instance) has the company's row and lease.
                let (status, body) =
                    try await harness.engine.connections.withLockedConnection(harness.engine.company.id, .wait) {
                        _ -> (ConnectionUpdate?, (Int, String)) in
                        let response = try await Self.refresh(client, company: harness.companyID, headers: alice)
                        return (nil, (Int(response.status.code), String(buffer: response.body)))
                    } ?? (0, "")
                #expect(status == 409, "\(body)")
                #expect(body.contains(#""outcome":"busy""#))
                #expect(body.contains("Another refresh of this company's tokens is under way"))
            }
            #expect(harness.engine.sandbox.counters[.refreshesServed] == 0)
            let recorded = try await Self.forcedEvents(harness)
            #expect(recorded.map(\.detail) == ["Outcome: \(RefreshOutcome.busy.description)."])
        }
    }

    @Test("viewers are refused 403, non-members and unknown companies 404, with nothing sent or counted; a company that never opted in is 409")
    func refusals() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            let victor = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("victor")), password: try Password("correct horse battery"))
            _ = try await engine.services.memberships.grant(.viewer, to: victor.id, in: engine.company.id, by: .operator("test"))
            _ = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("olga")), password: try Password("correct horse battery"))
            let viewer = try await Self.bearer(harness, "victor")
            let outsider = try await Self.bearer(harness, "olga")
            let alice = try await Self.bearer(harness, "alice")
            let cookie = try await harness.browserCookie("alice")
            try await harness.test { client in
                let nobody = try await Self.refresh(client, company: harness.companyID, headers: [:])
                #expect(nobody.status == .unauthorized)
                let noCSRF = try await Self.refresh(client, company: harness.companyID, headers: cookie)
                #expect(noCSRF.status == .forbidden)
                #expect(String(buffer: noCSRF.body).contains("X-CSRF-Token"))

                let refused = try await Self.refresh(client, company: harness.companyID, headers: viewer)
                #expect(refused.status == .forbidden)
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: refused.body).contains("Your role does not allow you to force a refresh of the company's UPS tokens."))
                for company in [harness.companyID, CompanyID().description, "not-a-uuid"] {
                    let hidden = try await Self.refresh(client, company: company, headers: outsider)
                    #expect(hidden.status == .notFound)
                    #expect(String(buffer: hidden.body).contains("There is no such company, or you do not have access to it."))
                }

                // Neither refusal took the company's forced refresh: alice's goes through at once.
                let notConnected = try await Self.refresh(client, company: harness.companyID, headers: alice)
                #expect(notConnected.status == .conflict)
                let problem = try Self.json(notConnected)
                #expect(problem["outcome"] as? String == "not_authenticated")
                #expect(
                    problem["detail"] as? String
                        == "Nothing to refresh: the company's UPS connection is \(ConnectionStatus.notConnected.title). An admin of the company must opt in first."
                )
            }
            #expect(engine.sandbox.counters[.refreshesServed] == 0)
            #expect(try await Self.forcedEvents(harness).map(\.actor.description) == ["alice"])
        }
    }

    @Test("UPS refusing the refresh token: 409 with the reason in plain words; the company must re-authorize")
    func refusedByUPS() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            _ = try harness.engine.sandbox.changePassword(username: EngineHarness.upsUser, to: "Changed-Pass-7")
            let alice = try await Self.bearer(harness, "alice")
            try await harness.test { client in
                let response = try await Self.refresh(client, company: harness.companyID, headers: alice)
                #expect(response.status == .conflict)
                let problem = try Self.json(response)
                #expect(problem["outcome"] as? String == "reauthorization_required")
                #expect((problem["detail"] as? String)?.contains(ReauthorizationReason.refreshRefused.message) == true)
                #expect((problem["detail"] as? String)?.hasSuffix("An admin of the company must opt in again.") == true)
            }
            #expect(try await harness.engine.connection().status == .reauthorizationRequired)
            #expect(harness.engine.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("the company page offers Refresh now to its admins; the button needs the form's CSRF token and shows the outcome")
    func webButton() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            let victor = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("victor")), password: try Password("correct horse battery"))
            _ = try await engine.services.memberships.grant(.viewer, to: victor.id, in: engine.company.id, by: .operator("test"))
            let alice = try await harness.browserCookie("alice")
            let viewer = try await harness.browserCookie("victor")
            let page = "/companies/\(harness.companyID)"
            try await harness.test { client in
                let notConnected = String(buffer: try await client.execute(uri: page, method: .get, headers: alice, body: nil).body)
                #expect(!notConnected.contains("Refresh now"), "nothing to refresh before the opt-in")

                try await engine.optInFully()
                let shown = try await client.execute(uri: page, method: .get, headers: alice, body: nil)
                let html = String(buffer: shown.body)
                #expect(html.contains(#"<form method="post" action="/companies/\#(harness.companyID)/refresh""#))
                #expect(html.contains("Refresh now"))
                #expect(html.contains("at most once every 30 seconds"))
                let viewerPage = try await client.execute(uri: page, method: .get, headers: viewer, body: nil)
                #expect(!String(buffer: viewerPage.body).contains("Refresh now"))

                func post(_ cookie: HTTPFields, csrf: String) async throws -> TestResponse {
                    var headers = cookie
                    headers[.contentType] = "application/x-www-form-urlencoded"
                    return try await client.execute(uri: page + "/refresh", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)"))
                }
                let forged = try await post(alice, csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(String(buffer: forged.body).contains("Form expired"))
                #expect(engine.sandbox.counters[.refreshesServed] == 0)

                // A viewer's own (valid) form token does not make them an admin.
                let viewerCSRF = try #require(NotificationPageTests.csrf(viewerPage))
                let notAllowed = try await post(viewer, csrf: viewerCSRF)
                #expect(notAllowed.status == .forbidden)
                #expect(String(buffer: notAllowed.body).contains("Your role does not allow you to force a refresh"))
                #expect(engine.sandbox.counters[.refreshesServed] == 0)

                let csrf = try #require(NotificationPageTests.csrf(shown))
                let pressed = try await post(alice, csrf: csrf)
                #expect(pressed.status == .ok)
                let outcome = String(buffer: pressed.body)
                #expect(outcome.contains(#"<p class="notice" role="status">Refreshed: UPS issued a new token pair"#))
                #expect(engine.sandbox.counters[.refreshesServed] == 1)

                let tooSoon = try await post(alice, csrf: csrf)
                #expect(tooSoon.status == .tooManyRequests)
                #expect(String(buffer: tooSoon.body).contains(#"<p class="warning" role="status">"#))
                #expect(String(buffer: tooSoon.body).contains("were refreshed on demand less than 30 seconds ago; try again in"))
                #expect(engine.sandbox.counters[.refreshesServed] == 1)
            }
            #expect(try await Self.forcedEvents(harness).map(\.actor.description) == ["alice"])
        }
    }
}
