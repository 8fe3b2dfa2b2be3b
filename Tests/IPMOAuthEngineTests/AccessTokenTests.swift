import Foundation
import IPMDomain
import IPMOAuth
import IPMTestSupport
import Testing
import UPSSandbox

@Suite("Access tokens for the deployment's services")
struct AccessTokenTests {
    @Test("a fresh token is handed out as stored, without calling UPS")
    func freshToken() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let tokens = UPSAccessTokens(refresher: harness.refresher)
            let issued = try await tokens.accessToken(for: harness.company.id)
            #expect(issued.token == (try await harness.storedTokens())?.access)
            #expect(try await harness.track(with: issued.token) == 200)
            #expect(harness.sandbox.counters[.refreshesServed] == 0)
        }
    }

    @Test("many concurrent callers on two instances for a due company cause one refresh")
    func concurrentCallersShareOneRefresh() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            harness.clock.advance(by: 4 * 3600 - 10 * 60)  // within the 24-minute margin of a 4-hour token
            let instanceA = UPSAccessTokens(refresher: harness.refresher(policy: .standard))
            let instanceB = UPSAccessTokens(refresher: harness.refresher(policy: .standard))
            let issued = try await withThrowingTaskGroup(of: IssuedAccessToken.self) { group in
                for index in 0..<40 {
                    let tokens = index % 2 == 0 ? instanceA : instanceB
                    group.addTask { try await tokens.accessToken(for: harness.company.id) }
                }
                return try await group.reduce(into: [IssuedAccessToken]()) { $0.append($1) }
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 1, "one refresh for 40 callers on two instances")
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(Set(issued.map(\.token)).count == 1, "everyone got the new token")
            #expect(try await harness.track(with: issued[0].token) == 200)
        }
    }

    @Test("no token for a company that is not authenticated, with the reason when UPS refused it")
    func notAuthenticated() async throws {
        try await EngineHarness.run { harness in
            let tokens = UPSAccessTokens(refresher: harness.refresher)
            await #expect(throws: AccessTokenFailure.notAuthenticated(.notConnected, reason: nil)) {
                try await tokens.accessToken(for: harness.company.id)
            }
            try await harness.optInFully()
            _ = try harness.sandbox.changePassword(username: EngineHarness.upsUser, to: "Another-Pass-3")
            harness.clock.advance(by: 4 * 3600 - 60)
            await #expect(throws: AccessTokenFailure.notAuthenticated(.reauthorizationRequired, reason: ReauthorizationReason.refreshRefused.message))
            {
                try await tokens.accessToken(for: harness.company.id)
            }
            #expect(try await harness.connection().status == .reauthorizationRequired)
        }
    }

    @Test("while UPS fails, a token that has not expired is still handed out")
    func failingRefreshKeepsAValidToken() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let stored = try #require(try await harness.storedTokens())
            harness.clock.advance(by: 4 * 3600 - 10 * 60)
            try harness.sandbox.setFaults(FaultConfiguration(serverErrorShare: 1, endpoints: [.refresh], seed: 3))
            let tokens = UPSAccessTokens(refresher: harness.refresher)
            #expect(try await tokens.accessToken(for: harness.company.id).token == stored.access)
            let failures = harness.sandbox.counters[.faultsServerError]
            // Backing off now: the next call does not call UPS again.
            #expect(try await tokens.accessToken(for: harness.company.id).token == stored.access)
            #expect(harness.sandbox.counters[.faultsServerError] == failures)
            // Past expiry and still backing off: no token, a clear reason.
            harness.clock.advance(by: 11 * 60)
            await #expect(throws: AccessTokenFailure.self) { try await tokens.accessToken(for: harness.company.id) }
        }
    }
}
