import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Logging
import Testing
import UPSSandbox

/// PostgreSQL restarts while UPS is answering a refresh: the rotated pair must not be lost,
/// because UPS has already consumed the old refresh token.
@Suite("Refresh across a database restart", .serialized)
struct DatabaseRestartTests {
    @Test func aRotatedPairSurvivesARestartBeforeItsCommit() async throws {
        let cluster = try await RestartableCluster.start()
        defer { cluster.destroy() }
        var configuration = PostgresConfiguration(connectionString: cluster.url, maxConnections: 4)
        configuration.connectTimeoutSeconds = 2
        let client = PostgresClient(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await MigrationRunner(
            client: client, migrations: IPMSchema.migrations, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ).migrate()

        try await EngineHarness.run(on: HarnessDatabase(client: client, connectionString: cluster.url)) { harness in
            try await harness.optInFully()
            let before = try #require(try await harness.storedTokens())

            // UPS takes a while to answer; the database restarts meanwhile, cutting the
            // connection that holds the row lock.
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 1500, endpoints: [.refresh], seed: 1))
            async let outcome = harness.refresher.refresh(harness.company.id, force: true)
            try await Self.untilTheRefreshIsAtUPS(harness)
            try await cluster.restart()
            let result = await outcome

            guard case .refreshed = result else {
                Issue.record("outcome: \(result)")
                return
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 1)
            #expect(harness.logs.all.contains { $0.contains("rotated UPS tokens are stored after the database came back") })
            let after = try #require(try await harness.storedTokens())
            #expect(after.refresh != before.refresh, "the rotated pair was written")
            #expect(try await harness.track(with: after.access) == 200)

            // The stored refresh token is the live one: the next refresh works, no reuse.
            harness.sandbox.clearFaults()
            guard case .refreshed = await harness.refresher.refresh(harness.company.id, force: true) else {
                Issue.record("next refresh")
                return
            }
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(try await harness.connection().status == .authenticated)
        }
        await client.close()
    }

    @Test func anotherInstanceLeavesACompanyAloneWhileARefreshFromBeforeTheRestartIsUnderWay() async throws {
        let cluster = try await RestartableCluster.start()
        defer { cluster.destroy() }
        var configuration = PostgresConfiguration(connectionString: cluster.url, maxConnections: 4)
        configuration.connectTimeoutSeconds = 2
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: configuration, logger: quiet)
        _ = try await MigrationRunner(client: client, migrations: IPMSchema.migrations, logger: quiet).migrate()

        try await EngineHarness.run(on: HarnessDatabase(client: client, connectionString: cluster.url)) { harness in
            try await harness.optInFully()
            // Instance 1 sends the refresh token; UPS answers only after the restart, by which
            // time the database has forgotten instance 1's row lock.
            try harness.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 3000, endpoints: [.refresh], seed: 1))
            async let first = harness.refresher.refresh(harness.company.id, force: true)
            try await Self.untilTheRefreshIsAtUPS(harness)
            try await cluster.restart()
            // Instance 2 gets the row at once, but the committed lease tells it a refresh is under
            // way: it waits for instance 1's pair instead of sending the token instance 1 spent.
            let second = await harness.refresher(secrets: harness.keyRing).refresh(harness.company.id, force: true)
            let result = await first
            guard case .refreshed = result else {
                Issue.record("outcome: \(result)")
                return
            }
            guard case .refreshed = second else {
                Issue.record("the other instance: \(second)")
                return
            }

            #expect(harness.sandbox.counters[.refreshesServed] == 2)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0, "the consumed refresh token was not sent again")
            #expect(try await harness.connection().status == .authenticated)
            #expect(try await client.query("SELECT 1 FROM refresh_leases").isEmpty, "every lease went with its commit")
        }
        await client.close()
    }

    /// Waits until the sandbox holds the refresh in its injected latency: the restart must come
    /// while UPS is answering, not before the refresher has read the row (a fixed sleep did
    /// that on a loaded machine, and the refresh then failed for the wrong reason).
    static func untilTheRefreshIsAtUPS(_ harness: EngineHarness, seconds: Double = 20) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while harness.sandbox.counters[.faultsLatency] == 0 {
            guard ContinuousClock.now < deadline else {
                Issue.record("the refresh did not reach the sandbox within \(seconds) s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(100))
    }
}
