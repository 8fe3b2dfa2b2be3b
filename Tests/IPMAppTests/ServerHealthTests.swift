import Foundation
import IPMPostgres
import Logging
import Testing

/// `ipm-server` as a process: health, readiness through a PostgreSQL restart, graceful stop.
@Suite("ipm-server health", .serialized)
struct ServerHealthTests {
    /// The HTTP status `curl` sees, bounded to 5 s; `nil` when nothing answered.
    static func status(_ url: URL) async -> Int? {
        guard
            let run = try? await Programs.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url.absoluteString])
        else {
            return nil
        }
        return Int(run.stdout).flatMap { $0 == 0 ? nil : $0 }
    }

    /// Polls until `url` answers `expected`, for at most `seconds`.
    static func waitFor(_ url: URL, status expected: Int, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await status(url) == expected { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test func readinessFollowsTheDatabaseThroughARestart() async throws {
        let directory = URL(fileURLWithPath: "/tmp/ipm-health-\(UUID().uuidString.prefix(8).lowercased())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test")
        let postgres = EmbeddedPostgres(stateDirectory: directory, logger: logger)
        let handle = try await onThread { try postgres.start() }

        // The embedded server of this test is not migrated: migrate it like an operator would.
        let migrate = try await Programs.run("ipm", ["migrate"], environment: ["IPM_DATABASE_URL": handle.connectionString])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let server = try ServerProcess(environment: Self.upsSettings.merging(["IPM_DATABASE_URL": handle.connectionString]) { $1 })
        let base = try #require(await server.waitUntilListening(), "ipm-server did not come up: \(server.log)")
        let healthz = base.appendingPathComponent("healthz")
        let readyz = base.appendingPathComponent("readyz")
        #expect(await Self.status(healthz) == 200, "\(server.log)")
        #expect(await Self.status(readyz) == 200, "\(server.log)")
        // Prometheus metrics through swift-metrics: the requests just made are counted.
        let metrics = try await Programs.run("/usr/bin/curl", ["-s", "--max-time", "5", base.appendingPathComponent("metrics").absoluteString])
        #expect(metrics.stdout.contains("http_server_request_duration"), "\(metrics.stdout)")
        #expect(metrics.stdout.contains(#"http_route="/healthz""#), "\(metrics.stdout)")

        // PostgreSQL goes away: readiness turns red promptly, the process stays up.
        try await onThread { try postgres.stop(handle) }
        #expect(await Self.waitFor(readyz, status: 503, seconds: 20), "/readyz did not turn red")
        #expect(await Self.status(healthz) == 200)
        #expect(server.isRunning, "\(server.log)")

        // PostgreSQL comes back: readiness turns green again without restarting ipm-server.
        let again = try await onThread { try postgres.start() }
        #expect(await Self.waitFor(readyz, status: 200, seconds: 30), "/readyz did not turn green again")

        // SIGTERM stops it gracefully.
        let exit = await server.stop()
        #expect(exit.reason == .exit, "\(server.log)")
        #expect(exit.status == 0, "\(server.log)")
        try await onThread { try postgres.stop(again) }
    }

    /// The UPS app and key ring every server needs (nothing is contacted until an opt-in).
    static let upsSettings = [
        "IPM_UPS_CLIENT_ID": "health-client", "IPM_UPS_CLIENT_SECRET": "health-secret",
        "IPM_UPS_BASE_URL": "http://127.0.0.1:9", "IPM_ENCRYPTION_KEYS": "k1:" + Data(repeating: 3, count: 32).base64EncodedString(),
    ]

    @Test func aMissingUPSClientIDStopsStartUpWithOneLine() async throws {
        let run = try await Programs.run(
            "ipm-server", [], environment: ["IPM_UPS_CLIENT_SECRET": "s", "IPM_DATABASE_URL": "postgresql://127.0.0.1:9/none"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("IPM_UPS_CLIENT_ID: expected the client id of IPM's app at UPS"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

    @Test func aUPSClientIDWithAColonStopsStartUpWithOneLine() async throws {
        // HTTP Basic joins id and secret with ':' unencoded, as UPS's SDKs do.
        let run = try await Programs.run(
            "ipm-server", [],
            environment: [
                "IPM_UPS_CLIENT_ID": "abc:def", "IPM_UPS_CLIENT_SECRET": "s", "IPM_DATABASE_URL": "postgresql://127.0.0.1:9/none",
            ])
        #expect(run.status != 0)
        #expect(
            run.stderr.contains("IPM_UPS_CLIENT_ID: expected a client id without ':' (UPS issues letters and digits), got 'abc:def'"), "\(run.stderr)"
        )
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

    @Test func aMalformedSettingStopsStartUpWithOneLine() async throws {
        let run = try await Programs.run("ipm-server", [], environment: ["IPM_HTTP_PORT": "eighty"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("IPM_HTTP_PORT: expected a whole number from 0 to 65535, got 'eighty'"))
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
