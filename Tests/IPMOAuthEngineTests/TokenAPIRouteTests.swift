import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import IPMTestSupport
import Testing
import UPSSandbox

/// `GET /api/v1/companies/{id}/ups/access-token` through the router, on the real engine,
/// the running sandbox and PostgreSQL.
@Suite("Token API route")
struct TokenAPIRouteTests {
    @Test("a service token with scope access-token gets the company's valid token, not cached, and it works at UPS")
    func happyPath() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let token = try await harness.serviceToken([.accessToken])
            try await harness.test { client in
                let response = try await HTTPHarness.accessToken(client, company: harness.companyID, token: token)
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.contentType] == "application/json")
                let answer = try AccessTokenAnswer(response)
                #expect(answer.token_type == "Bearer")
                #expect(answer.access_token == (try await harness.engine.storedTokens())?.access.value)
                #expect((14_300...14_399).contains(answer.expires_in))
                #expect(try Date(answer.expires_at, strategy: .iso8601) > Date())
                #expect(try await harness.engine.track(with: Secret(answer.access_token)) == 200)
            }
            #expect(harness.engine.sandbox.counters[.refreshesServed] == 0)
            let tokens = try #require(try await harness.engine.storedTokens())
            let logs = harness.engine.logs.all.joined(separator: "\n")
            #expect(logs.contains("token API: access token handed out"))
            for secret in [tokens.access.value, tokens.refresh.value, token] {
                #expect(!logs.contains(secret), "no token in the logs")
            }
        }
    }

    @Test("missing, unknown and revoked service tokens are 401; a proxy-scope or an admin's token is 403")
    func credentialsAndScopes() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let proxyOnly = try await harness.serviceToken([.proxy], name: "proxy-only")
            let revoked = try await harness.serviceToken([.accessToken], name: "gone")
            _ = try await harness.credentials.revoke(name: "gone")
            let session = try await harness.sessions.signIn("alice", password: try Password("correct horse battery"), clientAddress: nil, kind: .cli)
            let personal = try await harness.apiTokens.create(named: "mine", for: harness.engine.admin)
            try await harness.test { client in
                let uri = "/api/v1/companies/\(harness.companyID)/ups/access-token"
                let missing = try await client.execute(uri: uri, method: .get, headers: [:], body: nil)
                #expect(missing.status == .unauthorized)
                #expect(missing.headers[.contentType] == "application/problem+json")
                #expect(missing.headers[.wwwAuthenticate] != nil)
                for token in ["ipm_svc_nonsense", revoked, "garbage"] {
                    let response = try await HTTPHarness.accessToken(client, company: harness.companyID, token: token)
                    #expect(response.status == .unauthorized)
                    #expect(!String(buffer: response.body).contains("access_token"))
                }
                let wrongScope = try await HTTPHarness.accessToken(client, company: harness.companyID, token: proxyOnly)
                #expect(wrongScope.status == .forbidden)
                #expect(String(buffer: wrongScope.body).contains("does not carry the access-token scope"))
                for adminToken in [session.token.value, personal.secret.value] {
                    let response = try await HTTPHarness.accessToken(client, company: harness.companyID, token: adminToken)
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body).contains("not for admins"))
                }
            }
        }
    }

    @Test("an unknown company is 404; a company that never opted in, or must re-authorize, is 409 saying so")
    func companyStates() async throws {
        try await HTTPHarness.run { harness in
            let token = try await harness.serviceToken([.accessToken])
            try await harness.test { client in
                for company in [CompanyID().description, "not-a-uuid"] {
                    let unknown = try await HTTPHarness.accessToken(client, company: company, token: token)
                    #expect(unknown.status == .notFound)
                }
                let never = try await HTTPHarness.accessToken(client, company: harness.companyID, token: token)
                #expect(never.status == .conflict)
                #expect(String(buffer: never.body).contains("must opt in first"))

                try await harness.engine.optInFully()
                _ = try harness.engine.sandbox.changePassword(username: EngineHarness.upsUser, to: "Another-Pass-3")
                harness.engine.clock.advance(by: 4 * 3600 - 60)
                let voided = try await HTTPHarness.accessToken(client, company: harness.companyID, token: token)
                #expect(voided.status == .conflict)
                let text = String(buffer: voided.body)
                #expect(text.contains("must re-authorize") && text.contains(ReauthorizationReason.refreshRefused.message))
            }
        }
    }

    @Test("UPS failing while the token has expired is 503 with Retry-After")
    func unavailable() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let token = try await harness.serviceToken([.accessToken])
            try harness.engine.sandbox.setFaults(FaultConfiguration(serverErrorShare: 1, endpoints: [.refresh], seed: 5))
            harness.engine.clock.advance(by: 4 * 3600 + 60)
            try await harness.test { client in
                let response = try await HTTPHarness.accessToken(client, company: harness.companyID, token: token)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "30")
            }
        }
    }

    @Test("many concurrent callers for a due company cause exactly one refresh at UPS")
    func concurrentCallers() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let token = try await harness.serviceToken([.accessToken])
            harness.engine.clock.advance(by: 4 * 3600 - 10 * 60)
            try await harness.test { client in
                let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<30 {
                        group.addTask {
                            let response = try await HTTPHarness.accessToken(client, company: harness.companyID, token: token)
                            return try AccessTokenAnswer(response).access_token
                        }
                    }
                    return try await group.reduce(into: Set<String>()) { $0.insert($1) }
                }
                #expect(tokens.count == 1, "every caller got the one new token")
            }
            #expect(harness.engine.sandbox.counters[.refreshesServed] == 1)
            #expect(harness.engine.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }
}

@Suite("OpenAPI: UPS access routes")
struct UPSAccessOpenAPITests {
    @Test("the OpenAPI document lists exactly the token API and proxy routes the router serves")
    func documentedBothWays() async throws {
        try await HTTPHarness.run { harness in
            let (documented, served) = try harness.upsRoutes()
            #expect(!served.isEmpty)
            #expect(documented == served, "documented \(documented.sorted()) served \(served.sorted())")
        }
    }
}
