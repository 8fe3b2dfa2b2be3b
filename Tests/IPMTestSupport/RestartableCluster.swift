import Foundation

/// A private PostgreSQL cluster in a temporary directory, for tests that restart or stop
/// the server (the shared test server is never restarted).
public final class RestartableCluster: Sendable {
    public let directory: String
    let binDirectory: String
    public let port: Int
    let runAsPostgres: Bool

    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }
    public var serverOptions: String { "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory) -c fsync=off" }
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    private init(directory: String, binDirectory: String, port: Int, runAsPostgres: Bool) {
        self.directory = directory
        self.binDirectory = binDirectory
        self.port = port
        self.runAsPostgres = runAsPostgres
    }

    public static func start() async throws -> RestartableCluster {
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

    public func pgCtl(_ arguments: String...) async throws {
        try await run("pg_ctl", ["-D", dataDirectory] + arguments)
    }

    /// `pg_ctl restart` (fast shutdown: open connections are cut).
    public func restart() async throws {
        try await run("pg_ctl", ["-D", dataDirectory, "restart", "-w", "-m", "fast", "-o", serverOptions, "-l", logFile])
    }

    public func destroy() {
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
