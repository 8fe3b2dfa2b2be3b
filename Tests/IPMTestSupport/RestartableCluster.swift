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
        try await run(
            binDirectory: bin, directory: directory, runAsPostgres: runAsPostgres, "initdb",
            ["-D", directory + "/data", "-A", "trust", "-U", "postgres", "--no-sync"])
        // The port must be free when the postmaster binds it; a port the kernel just handed
        // out can be taken again by the time it does, so a bind failure tries another one.
        var attempt = 1
        while true {
            let cluster = RestartableCluster(directory: directory, binDirectory: bin, port: try freeLoopbackPort(), runAsPostgres: runAsPostgres)
            do {
                try await cluster.run("pg_ctl", "-D", cluster.dataDirectory, "-o", cluster.serverOptions, "-l", cluster.logFile, "-w", "start")
                return cluster
            } catch {
                let log = (try? String(contentsOfFile: cluster.logFile, encoding: .utf8)) ?? ""
                guard attempt < 5, log.contains("could not bind") || log.contains("Address already in use") else {
                    throw ClusterError("\(error)\nserver.log:\n\(log.suffix(2_000))")
                }
                attempt += 1
            }
        }
    }

    /// A loopback TCP port nothing listens on right now (the kernel's choice for port 0).
    private static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClusterError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw ClusterError("cannot find a free loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
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

    private func run(_ tool: String, _ arguments: [String]) async throws {
        try await Self.run(binDirectory: binDirectory, directory: directory, runAsPostgres: runAsPostgres, tool, arguments)
    }

    /// posix_spawn + waitpid on a plain thread: Foundation's `Process` on Linux does not
    /// report termination while a daemon it started (the postmaster) keeps inherited descriptors.
    private static func run(binDirectory: String, directory: String, runAsPostgres: Bool, _ tool: String, _ arguments: [String]) async throws {
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
