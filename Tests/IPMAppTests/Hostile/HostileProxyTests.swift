import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import NIOHTTP1
import Testing
import UPSSandbox

/// Attacks through the UPS proxy, against a real `ipm-server` and the sandbox: reaching UPS's
/// OAuth endpoints (or anything but its APIs) with the company's token, and a storm of 401s
/// that used to spend one single-use refresh token per refused call.
@Suite("Hostile: the UPS proxy", .serialized)
struct HostileProxyTests {
    /// Acme Logistics opted in by alice; a service token of scope `proxy`.
    private func optedIn(_ server: AuthAttackServer) async throws -> (company: CompanyID, token: String) {
        try await OptInHarness.optIn(
            company: "Acme Logistics", by: "alice", binding: SessionBinding(Secret("hostile-proxy-test")),
            database: server.world.database, sandboxURL: server.sandboxURL, http: server.signInClient
        )
        let created = try await server.operatorCommand(["service-token", "create", "hostile-proxy", "--scope", "proxy"])
        #expect(created.status == 0, "\(created.stderr)")
        return (server.world.acme.id, created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("only api/… is forwarded: UPS's OAuth endpoints, other paths and every path trick are 400 and reach nothing")
    func onlyUPSAPIPathsAreForwarded() async throws {
        try await AuthAttackServer.run { server in
            let (company, token) = try await optedIn(server)
            let before = server.sandbox.counters
            for path in [
                "security/v1/oauth/token", "security/v1/oauth/refresh", "security/v1/oauth/authorize?client_id=cli-client",
                "api/../security/v1/oauth/token", "api/%2e%2e/security/v1/oauth/token", "api/%2E%2E/security/v1/oauth/refresh",
                "api%2F..%2Fsecurity/v1/oauth/token", "api%2f%2e%2e%2fsecurity/v1/oauth/token", "%61pi/track/v1/details/1Z999AA10123456784",
                "API/track/v1/details/1Z999AA10123456784", "sandbox/counters", "api", "api/", "./api/track/v1/details/1Z999AA10123456784",
                "api/track/v1/details/1Z999AA10123456784/%2e%2e/%2e%2e/%2e%2e/%2e%2e/security/v1/oauth/token", "api%5C..%5Csecurity/v1/oauth/token",
            ] {
                for method in [HTTPMethod.GET, .POST] {
                    let answer = try await server.send(method, "/api/v1/companies/\(company)/ups/proxy/\(path)", bearer: token)
                    #expect(answer.status == 400, "\(method) \(path): \(answer.status) \(answer.body)")
                    #expect(answer.headers.first(name: "Content-Type") == "application/problem+json", "\(path)")
                }
            }
            // Nothing reached the sandbox: no token, refresh or resource call, no sign-in page.
            #expect(server.sandbox.counters == before, "the sandbox saw a proxied call")
            // A real UPS API path still works.
            let tracking = try await server.send(
                .GET, "/api/v1/companies/\(company)/ups/proxy/api/track/v1/details/1Z999AA10123456784", bearer: token)
            #expect(tracking.status == 200, "\(tracking.body)")
            try await server.expectStillUp()
        }
    }

    @Test("a storm of 401s for one company costs at most one refresh per window; callers get UPS's 401 and the pool stays free")
    func unauthorizedStormRefreshesAtMostOnce() async throws {
        try await AuthAttackServer.run(settings: ["IPM_DATABASE_MAX_CONNECTIONS": "4", "IPM_REFRESH_CONCURRENCY": "1"]) { server in
            let (company, token) = try await optedIn(server)
            // The stored pair is an hour old, so the first refused call may renew it once.
            _ = try await server.world.database.client.execute("UPDATE ups_connections SET updated_at = updated_at - interval '1 hour'")
            // UPS refuses every token on its API (as for an API never added to the app).
            try server.sandbox.setFaults(FaultConfiguration(unauthorizedShare: 1, endpoints: [.resource], seed: 1))
            server.sandbox.resetCounters()
            let path = "/api/v1/companies/\(company)/ups/proxy/api/track/v1/details/1Z999AA10123456784"
            for _ in 0..<15 {
                let answer = try await server.send(.GET, path, bearer: token)
                #expect(answer.status == 401, "\(answer.body)")
                #expect(answer.body.contains("250002"), "UPS's own answer is passed back")
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await server.send(.GET, path, bearer: token).status }
                }
                // Readiness and the token API's database are not starved meanwhile.
                group.addTask { try await server.send(.GET, "/readyz").status == 200 ? 401 : 0 }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 401 }, "\(statuses)")
            let counters = server.sandbox.counters
            #expect(counters[.refreshesServed] <= 1, "\(counters[.refreshesServed]) refreshes for one storm")
            #expect(counters[.refreshesRefused] == 0)
            #expect(counters[.refreshTokenReuse] == 0)
            // The company is still authenticated: the storm changed nothing an admin sees.
            #expect(try await server.count("SELECT count(*)::bigint AS n FROM ups_connections WHERE status = 'authenticated'") == 1)
            try await server.expectStillUp()
        }
    }
}
