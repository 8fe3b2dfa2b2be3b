import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Logging
import Synchronization
import Testing
import UPSSandbox

/// The sweep as a pipeline (decision 75): refreshes in flight bounded by the refresher's
/// concurrency and not by the database pool, claims leased in bulk, exactly one presentation
/// of each refresh token however many refreshers sweep the same rows, and an opt-out made
/// while UPS answers still wins. Real PostgreSQL, the real sandbox over sockets.
@Suite("Refresh pipeline: in flight beyond the pool, exactly once across refreshers")
struct RefreshPipelineTests {
    /// Opts in `count` more companies of the harness's admin.
    private static func optInCompanies(_ count: Int, _ harness: EngineHarness) async throws -> [Company] {
        var companies: [Company] = []
        for index in 0..<count {
            let company = try await harness.company(named: "Pipeline \(index)")
            try await harness.optInFully(company: company)
            companies.append(company)
        }
        return companies
    }

    /// A refresher as another server would run it: its own pool of `connections` (named, so
    /// `pg_stat_activity` can count them), the harness's sandbox and keys.
    private static func instance(
        _ harness: EngineHarness, name: String, connections: Int, concurrency: Int
    ) -> (refresher: UPSTokenRefresher, pool: PostgresClient) {
        var configuration = PostgresConfiguration(connectionString: harness.database.connectionString, maxConnections: connections)
        configuration.applicationName = name
        let pool = PostgresClient(configuration: configuration, logger: harness.logs.logger(label: "\(name).postgres"))
        let refresher = UPSTokenRefresher(
            server: harness.provider(), connections: PostgresUPSConnectionRepository(client: pool, logger: harness.logs.logger(label: name)),
            secrets: harness.keyRing, clock: harness.clock, random: SystemRandomSource(), retry: RetryPolicy(maxAttempts: 1),
            policy: RefreshPolicy(), concurrency: concurrency, logger: harness.logs.logger(label: name)
        )
        return (refresher, pool)
    }

    /// Every authenticated connection due now (its access token expired), as the bench does;
    /// a refreshed one is not due again.
    private static func makeAllDue(_ harness: EngineHarness) async throws {
        try await harness.database.client.execute(
            "UPDATE ups_connections SET access_token_expires_at = now() - interval '1 second' WHERE status = 'authenticated'")
    }

    /// The most connections `applicationName` held at once while `body` ran, sampled every 5 ms.
    private static func peakConnections<R: Sendable>(
        of applicationName: String, on client: PostgresClient, during body: () async throws -> R
    ) async throws -> (R, Int) {
        let peak = Atomic<Int>(0)
        let sampler = Task {
            while !Task.isCancelled {
                let rows = try await client.query(
                    "SELECT count(*)::bigint AS n FROM pg_stat_activity WHERE application_name = \(applicationName)")
                _ = peak.max(try rows.first?.decode("n", as: Int.self) ?? 0, ordering: .relaxed)
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let result: R
        do {
            result = try await body()
        } catch {
            sampler.cancel()
            _ = await sampler.result
            throw error
        }
        sampler.cancel()
        try? await sampler.value
        return (result, peak.load(ordering: .relaxed))
    }

    @Test("refreshes in flight are bounded by the concurrency, not by the database pool, which is never exceeded")
    func inFlightBeyondThePool() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let companies = try await Self.optInCompanies(6, harness)
            // UPS answers slowly: refreshes holding a pooled connection through the call would
            // never be more than the pool's 2 at once.
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 500, endpoints: [.refresh], seed: 4))
            harness.sandbox.resetCounters()
            try await Self.makeAllDue(harness)
            let (refresher, pool) = Self.instance(harness, name: "ipm-pipeline-pool", connections: 2, concurrency: 7)
            let (outcomes, peak) = try await Self.peakConnections(of: "ipm-pipeline-pool", on: harness.database.client) {
                try await refresher.refreshDue(limit: 100)
            }
            await pool.close()
            #expect(Set(outcomes.map(\.0)) == Set(companies.map(\.id) + [harness.company.id]))
            #expect(outcomes.allSatisfy { $0.1.metricLabel == "succeeded" }, "\(outcomes)")
            let inFlight = harness.sandbox.counters[.refreshesInFlightPeak]
            #expect(inFlight <= 7, "never more than the concurrency at UPS, saw \(inFlight)")
            #expect(inFlight >= 5, "7 refreshes of 500 ms go to UPS side by side over a pool of 2, saw \(inFlight)")
            #expect(peak <= 2, "the pool of 2 held \(peak) connections")
            #expect(harness.sandbox.counters[.refreshesServed] == 7)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("two refreshers sweeping the same due rows present each refresh token once")
    func twoRefreshersSameRows() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let companies = try await Self.optInCompanies(11, harness)
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 100, endpoints: [.refresh], seed: 5))
            harness.sandbox.resetCounters()
            try await Self.makeAllDue(harness)
            let first = Self.instance(harness, name: "ipm-pipeline-a", connections: 2, concurrency: 3)
            let second = Self.instance(harness, name: "ipm-pipeline-b", connections: 2, concurrency: 3)
            // Both sweep at once, pass after pass, as two servers' workers do, until neither finds any due.
            func sweep(_ refresher: UPSTokenRefresher) async throws -> [(CompanyID, RefreshOutcome)] {
                var all: [(CompanyID, RefreshOutcome)] = []
                while true {
                    let pass = try await refresher.refreshDue(limit: 4)
                    if pass.isEmpty { return all }
                    all += pass
                }
            }
            async let a = sweep(first.refresher)
            async let b = sweep(second.refresher)
            let outcomes = try await a + b
            await first.pool.close()
            await second.pool.close()

            let refreshed = outcomes.filter { $0.1.metricLabel == "succeeded" }.map(\.0)
            #expect(refreshed.count == 12, "\(outcomes.map { "\($0.0): \($0.1.label)" })")
            #expect(Set(refreshed) == Set(companies.map(\.id) + [harness.company.id]))
            #expect(harness.sandbox.counters[.refreshesServed] == 12)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(harness.sandbox.counters[.refreshesRefused] == 0)
            let leases = try await harness.database.client.query("SELECT count(*)::bigint AS n FROM refresh_leases")
            #expect(try leases.first?.decode("n", as: Int.self) == 0, "every claim ended with its refresh")
        }
    }

    @Test("an opt-out committed while UPS answers the refresh wins: the new pair is not stored")
    func optOutDuringTheCall() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 1500, endpoints: [.refresh], seed: 6))
            let refresher = harness.refresher(policy: RefreshPolicy(margin: .fixed(5 * 3600)))
            let sweep = Task { try await refresher.refreshDue(limit: 10) }
            let deadline = ContinuousClock.now + .seconds(20)
            while harness.sandbox.counters[.faultsLatency] == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            // The refresh token is at UPS; the row is not locked, so the opt-out does not wait for it.
            let access = CompanyAccess(
                companies: harness.services.companies, memberships: harness.services.memberships,
                connections: harness.connections, audit: harness.audit, clock: harness.clock
            )
            let started = ContinuousClock.now
            #expect(try await access.optOut(.id(harness.company.id), by: harness.admin).status == .optedOut)
            #expect(ContinuousClock.now - started < .milliseconds(1200), "the opt-out did not wait for UPS")
            let outcomes = try await sweep.value
            #expect(outcomes.map(\.1.metricLabel) == ["not_authenticated"], "\(outcomes)")
            #expect(harness.sandbox.counters[.refreshesServed] == 1)
            #expect(try await harness.connection().status == .optedOut)
            let stored = try await harness.database.client.query(
                """
                SELECT access_token_sealed IS NULL AND refresh_token_sealed IS NULL AS gone
                FROM ups_connections WHERE company_id = \(harness.company.id.rawValue)
                """)
            #expect(try stored.first?.decode("gone", as: Bool.self) == true, "the pair UPS issued meanwhile was not stored")
        }
    }
}
