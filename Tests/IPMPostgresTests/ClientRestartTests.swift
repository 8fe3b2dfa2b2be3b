import Foundation
import IPMPostgres
import IPMTestSupport
import Testing

/// Restarts a real PostgreSQL under a live client. Uses its own throwaway cluster (so the
/// shared test server is never restarted), built with the local `initdb`/`pg_ctl`; as root
/// the server runs as user `postgres`, since PostgreSQL refuses to run as root.
@Suite("PostgresClient across a server restart", .serialized)
struct ClientRestartTests {
    @Test func clientSurvivesRestartAndFailsFastWhileDown() async throws {
        let cluster = try await RestartableCluster.start()
        defer { cluster.destroy() }

        var configuration = PostgresConfiguration(connectionString: cluster.url, maxConnections: 3)
        configuration.connectTimeoutSeconds = 2
        let client = PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
        do {
            try await exercise(client, cluster)
        } catch let error as PostgresError {
            Issue.record("\(error.debugDescription)")
        }
        await client.close()
    }

    private func exercise(_ client: PostgresClient, _ cluster: RestartableCluster) async throws {
        try await client.ping()
        let pidBefore = try await client.withConnection { $0.backendPID }

        // (1) A query running while the server restarts fails fast with connectionLost.
        let inFlight = Task {
            let start = ContinuousClock.now
            do {
                try await client.execute("SELECT pg_sleep(30)")
                return (ContinuousClock.now - start, PostgresError?.none)
            } catch let error as PostgresError {
                return (ContinuousClock.now - start, error)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try await cluster.pgCtl("restart", "-w", "-m", "fast")
        let (elapsed, error) = try await inFlight.value
        #expect(error == .connectionLost, "in-flight query: \(String(describing: error?.debugDescription))")
        #expect(elapsed < .seconds(10))

        // (2) After the restart, requests get new connections and succeed (idle ones that
        // died in the restart are detected before they are lent).
        for _ in 0..<3 {
            try await client.ping()
        }
        let pidAfter = try await client.withConnection { $0.backendPID }
        #expect(pidAfter != pidBefore)

        // (3) While the server is down, ping fails within a few seconds.
        try await cluster.pgCtl("stop", "-w", "-m", "fast")
        let start = ContinuousClock.now
        do {
            try await client.ping()
            Issue.record("ping succeeded with the server stopped")
        } catch let error as PostgresError {
            #expect(error == .connectionLost || error == .connectionFailed, "\(error.debugDescription)")
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        let secondStart = ContinuousClock.now
        await #expect(throws: PostgresError.connectionFailed) { try await client.ping() }
        #expect(ContinuousClock.now - secondStart < .seconds(4))

        // Back up: the same client recovers by itself.
        try await cluster.pgCtl("start", "-w", "-o", cluster.serverOptions, "-l", cluster.logFile)
        try await client.ping()
    }
}
