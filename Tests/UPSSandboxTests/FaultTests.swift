import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// Injected faults, set through the admin API as a test of the engine would.
@Suite("UPS sandbox: faults")
struct FaultTests {
    private func setFaults(_ ups: RunningSandbox, _ json: String) async throws {
        let response = try await ups.postJSON("/sandbox/faults", json, method: .put)
        #expect(response.status == .ok, "\(response.text)")
    }

    private func clearFaults(_ ups: RunningSandbox) async throws {
        #expect(try await ups.send(.delete, "/sandbox/faults").status == .ok)
    }

    /// Under `faults`, a refresh ends in a connection error instead of an answer.
    private func refreshFailsToArrive(_ ups: RunningSandbox, _ tokens: [String: String], faults: String) async throws {
        try await setFaults(ups, faults)
        await #expect(throws: (any Error).self) { _ = try await ups.refresh(tokens["refresh_token"]!) }
        try await clearFaults(ups)
    }

    @Test func aServerErrorShareOf1AnswersEveryRequest503AndChangesNothing() async throws {
        try await RunningSandbox.with { ups in
            let code = try await ups.code()
            try await setFaults(ups, #"{"serverErrorShare": 1}"#)
            for _ in 0..<3 {
                let response = try await ups.exchange(code)
                #expect(response.status == .serviceUnavailable)
                #expect(response.upsError?.code == "10503")
            }
            // The sign-in pages and the admin API are never faulty.
            #expect(try await ups.get("/security/v1/oauth/authorize?" + RunningSandbox.authorizeQuery()).status == .found)
            try await clearFaults(ups)
            #expect(try await ups.exchange(code).status == .ok)
            #expect(try await ups.counters()["faults_server_error"] == 3)
        }
    }

    @Test func blockedMerchantAnswers403OnTokenAndRefreshPerClientOrGlobalAndChangesNothing() async throws {
        try await RunningSandbox.with { ups in
            let tokens = try await ups.tokens()
            let code = try await ups.code()
            // One client blocked: its token and refresh calls are 403 Blocked Merchant; the resource API is not.
            try await setFaults(ups, #"{"blockedClients": ["\#(RunningSandbox.demoClient)"]}"#)
            let refused = try await ups.refresh(tokens["refresh_token"]!)
            #expect(refused.status == .forbidden)
            #expect(refused.upsError?.code == "10403")
            #expect(refused.upsError?.message == "Blocked Merchant")
            #expect(try await ups.exchange(code).status == .forbidden)
            #expect(try await ups.track(token: tokens["access_token"]).status == .ok)
            // Another client is not blocked (a wrong secret is still its own answer, 401).
            #expect(try await ups.refresh(tokens["refresh_token"]!, headers: RunningSandbox.basic("another-client", "x")).status == .unauthorized)
            // A client that names itself in the form (PKCE's public client) is recognised too.
            try await setFaults(ups, #"{"blockedClients": ["\#(RunningSandbox.demoClient)"], "endpoints": ["refresh"]}"#)
            let publicClient = try await ups.postForm(
                TokenRoutes.refreshPath,
                [
                    "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]!, "client_id": RunningSandbox.demoClient,
                ])
            #expect(publicClient.status == .forbidden)
            #expect(try await ups.exchange(code).status == .ok, "only refresh was chosen")
            // Global: every client.
            try await setFaults(ups, #"{"blockedMerchant": true}"#)
            #expect(try await ups.refresh(tokens["refresh_token"]!, headers: RunningSandbox.basic("another-client", "x")).status == .forbidden)
            try await clearFaults(ups)
            // Nothing was consumed by the blocked calls: the refresh token still works, once.
            #expect(try await ups.refresh(tokens["refresh_token"]!).status == .ok)
            let counters = try await ups.counters()
            #expect(counters["faults_blocked_merchant"] == 4)
            #expect(counters["refresh_token_reuse"] == 0)
        }
    }

    @Test func blockedMerchantComesFromTheJSONConfiguration() throws {
        let json = #"{"faults": {"blockedClients": ["a"], "blockedMerchant": false}, "lifetimes": {"grantSeconds": 60}}"#
        let configuration = try JSONDecoder().decode(SandboxConfiguration.self, from: Data(json.utf8))
        #expect(configuration.faults.blockedClients == ["a"])
        #expect(configuration.faults.blocks("a", at: .refresh) && configuration.faults.blocks("a", at: .token))
        #expect(!configuration.faults.blocks("b", at: .refresh) && !configuration.faults.blocks("a", at: .resource))
        #expect(configuration.lifetimes.grantSeconds == 60)
    }

    @Test func aGrantWithAnEndGivesRefreshTokensWhatIsLeftOfIt() async throws {
        try await RunningSandbox.with({ $0.lifetimes = Lifetimes(accessTokenSeconds: 60, refreshTokenSeconds: 600, grantSeconds: 30) }) { ups in
            let tokens = try await ups.tokens()
            #expect(tokens["refresh_token_expires_in"] == "30")
            let refreshed = try await ups.refresh(tokens["refresh_token"]!)
            let left = try #require(Int(try refreshed.tokenFields()["refresh_token_expires_in"] ?? ""))
            #expect((1...30).contains(left), "what is left of the grant, not a new 600 s: \(left)")
        }
    }

    @Test func a429BurstAnswersTheNextNRequestsThenServes() async throws {
        try await RunningSandbox.with { ups in
            let tokens = try await ups.tokens()
            try await setFaults(ups, #"{"tooManyRequestsBurst": 2, "endpoints": ["refresh"]}"#)
            for _ in 0..<2 {
                let response = try await ups.refresh(tokens["refresh_token"]!)
                #expect(response.status == .tooManyRequests)
                #expect(response.upsError?.code == "10429")
                let names = response.headers.map { $0.name.canonicalName }
                #expect(!names.contains { $0.contains("ratelimit") || $0 == "retry-after" }, "\(names)")
            }
            // Only refresh was chosen: the resource API is untouched meanwhile.
            #expect(try await ups.track(token: tokens["access_token"]).status == .ok)
            #expect(try await ups.refresh(tokens["refresh_token"]!).status == .ok)
            let counters = try await ups.counters()
            #expect(counters["faults_too_many_requests"] == 2)
            #expect(counters["refresh_token_reuse"] == 0)
        }
    }

    @Test func aDroppedConnectionIsAConnectionErrorAndConsumesNothing() async throws {
        try await RunningSandbox.with { ups in
            let tokens = try await ups.tokens()
            try await refreshFailsToArrive(ups, tokens, faults: #"{"droppedConnectionShare": 1, "endpoints": ["refresh"]}"#)
            let retried = try await ups.refresh(tokens["refresh_token"]!)
            #expect(retried.status == .ok, "the dropped request must not have consumed the token")
            let counters = try await ups.counters()
            #expect(counters["faults_dropped_connection"] == 1)
            #expect(counters["refreshes_served"] == 1)
            #expect(counters["refresh_token_reuse"] == 0)
        }
    }

    @Test func aLostResponseConsumesTheTokenButNeverArrives() async throws {
        try await RunningSandbox.with { ups in
            let tokens = try await ups.tokens()
            try await refreshFailsToArrive(ups, tokens, faults: #"{"lostResponseShare": 1, "endpoints": ["refresh"]}"#)
            let counters = try await ups.counters()
            #expect(counters["faults_lost_response"] == 1)
            #expect(counters["refreshes_served"] == 1, "the lost request was processed")
            // The ambiguous case: retrying with the same token is a reuse.
            let retried = try await ups.refresh(tokens["refresh_token"]!)
            #expect(retried.status == .badRequest && retried.upsError?.code == "10411")
            #expect(try await ups.counters()["refresh_token_reuse"] == 1)
        }
    }

    @Test func latencyDelaysTheChosenEndpoints() async throws {
        try await RunningSandbox.with({ $0.faults = FaultConfiguration(latencyMilliseconds: 300, endpoints: [.resource]) }) { ups in
            let token = try await ups.tokens()["access_token"]
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try await ups.track(token: token).status == .ok)
            #expect(clock.now - start >= .milliseconds(300))
            #expect(try await ups.counters()["faults_latency"] == 1)
        }
    }

    @Test("latency is a wait, not work: delayed refreshes are in progress side by side, and the peak says how many")
    func latencyOverlapsAndTheInFlightPeakIsCounted() async throws {
        try await RunningSandbox.with { ups in
            var refreshTokens: [String] = []
            for _ in 0..<5 { refreshTokens.append(try #require(try await ups.tokens()["refresh_token"])) }
            #expect(try await ups.counters()["refreshes_in_flight_peak"] == 0)
            _ = try await ups.postJSON("/sandbox/faults", #"{"latencyMilliseconds": 600, "endpoints": ["refresh"]}"#, method: .put)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for token in refreshTokens { group.addTask { try await ups.refresh(token).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .ok, count: 5))
            let counters = try await ups.counters()
            #expect(counters["faults_latency"] == 5)
            // Five waits of 600 ms overlapped: the sleep holds no thread and no lock.
            #expect(counters["refreshes_in_flight_peak"] == 5, "\(counters)")
            #expect(counters["refresh_token_reuse"] == 0)
            _ = try await ups.postJSON("/sandbox/counters/reset", "{}")
            #expect(try await ups.counters()["refreshes_in_flight_peak"] == 0)
        }
    }

    @Test func invalidFaultsAreRefusedWith400() async throws {
        try await RunningSandbox.with { ups in
            let response = try await ups.postJSON("/sandbox/faults", #"{"serverErrorShare": 1.5}"#, method: .put)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("faults.serverErrorShare"))
        }
    }

    @Test func theSameSeedGivesTheSameFaults() {
        func fates(seed: UInt64) -> [String] {
            var state = FaultState(
                configuration: FaultConfiguration(serverErrorShare: 0.3, droppedConnectionShare: 0.2, lostResponseShare: 0.1, seed: seed))
            return (0..<200).map { _ in state.plan(for: .refresh).fault.map { "\($0)" } ?? "none" }
        }
        #expect(fates(seed: 42) == fates(seed: 42))
        #expect(fates(seed: 42) != fates(seed: 43))
        let counts = Dictionary(grouping: fates(seed: 42), by: { $0 }).mapValues(\.count)
        // Roughly 20 % dropped, 80 % × 30 % = 24 % 503, 56 % × 10 % ≈ 6 % lost.
        #expect((20...60).contains(counts["droppedConnection"] ?? 0), "\(counts)")
        #expect((25...75).contains(counts["serverError"] ?? 0), "\(counts)")
        #expect((2...25).contains(counts["lostResponse"] ?? 0), "\(counts)")
    }
}
