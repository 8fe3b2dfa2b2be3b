import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Metrics
import MetricsTestKit
import Synchronization
import Testing
import UPSSandbox

/// The sweep of due companies: how many refreshes run at once, which companies it claims, and
/// what it reports through swift-metrics.
@Suite("Refresh sweep: concurrency, refresh-token expiry, metrics")
struct RefreshSweepTests {
    /// Opts in `count` more companies of the harness's admin.
    private static func optInCompanies(_ count: Int, _ harness: EngineHarness) async throws -> [Company] {
        var companies: [Company] = []
        for index in 0..<count {
            let company = try await harness.services.companies.create(try CompanyName("Sweep \(index)"), by: .operator("test"))
            _ = try await harness.services.memberships.grant(.admin, to: harness.admin.id, in: company.id, by: .operator("test"))
            try await harness.optInFully(company: company)
            companies.append(company)
        }
        return companies
    }

    @Test("several refreshes run at once, never more than the refresher's concurrency")
    func boundedConcurrency() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let companies = try await Self.optInCompanies(5, harness)
            // UPS answers slowly, so overlapping refreshes would show.
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 400, endpoints: [.refresh], seed: 3))
            let counting = InFlightCounting(harness.provider())
            let refresher = UPSTokenRefresher(
                server: counting, connections: harness.connections, secrets: harness.keyRing, clock: harness.clock,
                random: SystemRandomSource(), retry: RetryPolicy(maxAttempts: 1), policy: RefreshPolicy(margin: .fixed(5 * 3600)),
                concurrency: 3, logger: harness.logs.logger(label: "sweep")
            )
            let outcomes = try await refresher.refreshDue(limit: 100)
            #expect(Set(outcomes.map(\.0)) == Set(companies.map(\.id) + [harness.company.id]))
            #expect(outcomes.allSatisfy { $0.1.metricLabel == "succeeded" }, "\(outcomes)")
            #expect(counting.maximum <= 3, "at most 3 UPS calls at once, saw \(counting.maximum)")
            #expect(counting.maximum >= 2, "refreshes overlap (6 companies, 400 ms each), saw \(counting.maximum)")
            #expect(harness.sandbox.counters[.refreshesServed] == 6)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("a refresh token nearing its own expiry is claimed even while the access token is fresh")
    func refreshTokenNearExpiryIsDue() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            // This grant's refresh token lives 20 minutes, inside the 24-minute margin of a 4-hour access token.
            try harness.sandbox.setLifetimes(Lifetimes(accessTokenSeconds: 14399, refreshTokenSeconds: 1200))
            let short = try #require(try await Self.optInCompanies(1, harness).first)
            let before = try #require(try await harness.storedTokens(short))

            let outcomes = try await harness.refresher.refreshDue(limit: 100)
            #expect(outcomes.map(\.0) == [short.id], "only the company whose refresh token ends soon")
            #expect(outcomes.first?.1.metricLabel == "succeeded")
            let after = try #require(try await harness.storedTokens(short))
            #expect(after.refresh != before.refresh)
            #expect(try await harness.connection(short).status == .authenticated)
        }
    }

    @Test("stopping the worker lets a refresh already sent to UPS commit its pair")
    func cancellationWaitsForTheRefreshInFlight() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let before = try #require(try await harness.storedTokens())
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 800, endpoints: [.refresh], seed: 9))
            let worker = RefreshWorker(
                refresher: harness.refresher(policy: RefreshPolicy(margin: .fixed(5 * 3600))),
                interval: .seconds(60), batch: 10, logger: harness.logs.logger(label: "worker")
            )
            let task = Task { await worker.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while harness.sandbox.counters[.faultsLatency] == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            // The refresh is at UPS now: a graceful shutdown cancels the worker.
            task.cancel()
            await task.value

            #expect(harness.sandbox.counters[.refreshesServed] == 1)
            let after = try #require(try await harness.storedTokens())
            #expect(after.refresh != before.refresh, "UPS's answer was committed, not dropped with the cancelled task")
            harness.sandbox.clearFaults()
            #expect(await harness.refresher.refresh(harness.company.id, force: true).metricLabel == "succeeded")
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("refreshes are counted by outcome and timed; the token API is timed")
    func metricsByOutcome() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let metrics = TestMetrics()
            let refresher = UPSTokenRefresher(
                server: harness.provider(), connections: harness.connections, secrets: harness.keyRing, clock: harness.clock,
                random: SystemRandomSource(), retry: RetryPolicy(maxAttempts: 1), policy: RefreshPolicy(margin: .fixed(5 * 3600), backoffBase: 60),
                logger: harness.logs.logger(label: "metrics"), metrics: RefreshMetrics(factory: metrics)
            )
            func count(_ outcome: String) -> Int64 {
                metrics.counters(label: "ipm_token_refreshes_total", dimensions: [("outcome", outcome)]).map(\.totalValue).reduce(0, +)
            }

            #expect(await refresher.refresh(harness.company.id, force: false).metricLabel == "succeeded")
            try harness.sandbox.setFaults(FaultConfiguration(serverErrorShare: 1, endpoints: [.refresh], seed: 5))
            #expect(await refresher.refresh(harness.company.id, force: false).metricLabel == "transient")
            #expect(await refresher.refresh(harness.company.id, force: false).metricLabel == "backing_off")
            harness.sandbox.clearFaults()
            // The UPS.com password changes: UPS voids the grant and refuses the refresh.
            _ = try harness.sandbox.changePassword(username: EngineHarness.upsUser, to: "Another-Pass-2")
            #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "refused")
            #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "not_authenticated")

            #expect(count("succeeded") == 1)
            #expect(count("transient") == 1)
            #expect(count("backing_off") == 1)
            #expect(count("refused") == 1)
            #expect(count("not_authenticated") == 1)
            // Only the three refreshes that reached UPS are timed.
            let timer = try metrics.expectTimer("ipm_token_refresh_duration_seconds")
            #expect(timer.values.count == 3)
            #expect(timer.values.allSatisfy { $0 > 0 })
        }
    }
}

/// The real provider, counting how many refreshes are in flight at once.
private final class InFlightCounting: AuthorizationServer {
    private let server: any AuthorizationServer
    private let state = Mutex((current: 0, maximum: 0))

    init(_ server: any AuthorizationServer) {
        self.server = server
    }

    var maximum: Int { state.withLock { $0.maximum } }

    func authorizationURL(state: String, codeChallenge: String?) throws -> URL {
        try server.authorizationURL(state: state, codeChallenge: codeChallenge)
    }

    func exchange(code: String, codeVerifier: String?) async throws(AuthorizationServerError) -> TokenGrant {
        try await server.exchange(code: code, codeVerifier: codeVerifier)
    }

    func refresh(_ refreshToken: Secret) async throws(AuthorizationServerError) -> TokenGrant {
        state.withLock {
            $0.current += 1
            $0.maximum = max($0.maximum, $0.current)
        }
        defer { state.withLock { $0.current -= 1 } }
        return try await server.refresh(refreshToken)
    }
}
