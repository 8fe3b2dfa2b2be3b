import Foundation
import IPMPostgres
import Logging
import Synchronization

/// The PostgreSQL server the database tests run against.
public enum TestPostgres {
    /// The admin URL of the test server: `IPM_TEST_DATABASE_URL` when set; otherwise a
    /// throwaway cluster started once per test process with `EmbeddedPostgres` in a fresh
    /// directory under /tmp, and stopped at process exit (best effort). Connections to the
    /// throwaway cluster wait up to 30 s for a backend.
    public static func serverConnectionString() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["IPM_TEST_DATABASE_URL"], !url.isEmpty {
            return url
        }
        return try await embeddedStart.value { try await startEmbeddedServer() }
    }

    static let logger: Logger = {
        var logger = Logger(label: "ipm.test-postgres") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }()

    private static let embeddedStart = OnceTask<String>()

    /// initdb and pg_ctl block for seconds: run them on a thread of their own, not on the
    /// cooperative pool the tests share.
    private static func startEmbeddedServer() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let directory = URL(filePath: "/tmp/ipm-test-\(UUID().uuidString.prefix(8).lowercased())", directoryHint: .isDirectory)
                    let postgres = EmbeddedPostgres(stateDirectory: directory, logger: logger)
                    let handle = try postgres.start()
                    runningServer.withLock { $0 = RunningServer(postgres: postgres, handle: handle, directory: directory) }
                    atexit { TestPostgres.stopEmbeddedServer() }
                    // Hundreds of tests start at once on two cores: a backend may take more
                    // than the product's 5 s default to start, which is not what they test.
                    continuation.resume(returning: handle.connectionString + " connect_timeout=30")
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    private struct RunningServer: Sendable {
        let postgres: EmbeddedPostgres
        let handle: EmbeddedPostgres.Handle
        let directory: URL
    }

    private static let runningServer = Mutex<RunningServer?>(nil)

    /// Stops the throwaway cluster and removes its directory (called from `atexit`).
    static func stopEmbeddedServer() {
        guard
            let server = runningServer.withLock({ server in
                defer { server = nil }
                return server
            })
        else { return }
        try? server.postgres.stop(server.handle)
        try? FileManager.default.removeItem(at: server.directory)
    }
}
