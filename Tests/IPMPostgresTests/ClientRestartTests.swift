import Foundation
import IPMPostgres
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

/// A private PostgreSQL cluster in a temporary directory.
private final class RestartableCluster: Sendable {
    let directory: String
    let binDirectory: String
    let port: Int
    let runAsPostgres: Bool

    var dataDirectory: String { directory + "/data" }
    var logFile: String { directory + "/server.log" }
    var serverOptions: String { "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory) -c fsync=off" }
    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    private init(directory: String, binDirectory: String, port: Int, runAsPostgres: Bool) {
        self.directory = directory
        self.binDirectory = binDirectory
        self.port = port
        self.runAsPostgres = runAsPostgres
    }

    static func start() async throws -> RestartableCluster {
        guard let bin = findBinDirectory() else {
            throw ClusterError("initdb/pg_ctl not found (looked in /usr/lib/postgresql/*/bin and PATH)")
        }
        let directory = NSTemporaryDirectory() + "ipm-restart-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let runAsPostgres = getuid() == 0
        if runAsPostgres {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory)
        }
        let port = Int.random(in: 40_000...60_000)
        let cluster = RestartableCluster(directory: directory, binDirectory: bin, port: port, runAsPostgres: runAsPostgres)
        try await cluster.run("initdb", "-D", cluster.dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync")
        try await cluster.run("pg_ctl", "-D", cluster.dataDirectory, "-o", cluster.serverOptions, "-l", cluster.logFile, "-w", "start")
        return cluster
    }

    func pgCtl(_ arguments: String...) async throws {
        try await run("pg_ctl", ["-D", dataDirectory] + arguments)
    }

    func destroy() {
        let pgCtl = binDirectory + "/pg_ctl"
        let stop = ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]
        _ = Self.spawnAndWait(runAsPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", pgCtl] + stop : [pgCtl] + stop, output: "/dev/null")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ tool: String, _ arguments: String...) async throws {
        try await run(tool, arguments)
    }

    /// posix_spawn + waitpid on a plain thread: Foundation's `Process` on Linux does not
    /// report termination while a daemon it started (the postmaster) keeps inherited descriptors.
    private func run(_ tool: String, _ arguments: [String]) async throws {
        let path = binDirectory + "/" + tool
        let argv = runAsPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        let output = directory + "/\(tool).out"
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Self.spawnAndWait(argv, output: output))
            }
        }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw ClusterError("\(tool) \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
        }
    }

    private static func spawnAndWait(_ argv: [String], output: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    private static func findBinDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = "\(root)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/pg_ctl") { return bin }
        }
        for entry in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if FileManager.default.isExecutableFile(atPath: "\(entry)/pg_ctl") { return String(entry) }
        }
        return nil
    }
}

private struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
