public import Foundation
public import Logging

/// A local PostgreSQL cluster the app runs itself when no database is configured.
///
/// The cluster lives under `<state dir>/postgres`, listens on a unix socket only
/// (`listen_addresses = ''`), trusts local socket connections for superuser `ipm`, and
/// survives restarts of the app: the next `start()` reuses it.
public struct EmbeddedPostgres: Sendable {
    /// What a caller needs to connect, and whether it must stop the server again.
    public struct Handle: Sendable {
        /// libpq key=value: `host=<socket dir> port=5432 dbname=ipm user=ipm`.
        public let connectionString: String
        /// Only the caller that started the server stops it.
        public let startedByUs: Bool
        public let dataDirectory: URL
    }

    static let superuser = "ipm"
    static let database = "ipm"
    static let startTimeoutSeconds = 60

    let stateDirectory: URL
    let logger: Logger
    /// Overrides where the server binaries are looked for (tests use an empty directory).
    let binarySearchDirectories: [URL]?

    public init(stateDirectory: URL, logger: Logger) {
        self.init(stateDirectory: stateDirectory, logger: logger, binarySearchDirectories: nil)
    }

    init(stateDirectory: URL, logger: Logger, binarySearchDirectories: [URL]?) {
        self.stateDirectory = stateDirectory.standardizedFileURL
        self.logger = logger
        self.binarySearchDirectories = binarySearchDirectories
    }

    var layout: ClusterLayout { ClusterLayout(stateDirectory: stateDirectory) }

    /// Finds the server binaries, initialises the cluster on first use, starts it with
    /// `pg_ctl` unless it is already running, waits until it accepts connections and
    /// creates database `ipm` if missing. Blocks; call it off the cooperative pool.
    public func start() throws(EmbeddedPostgresError) -> Handle {
        let binaries = try PostgresServerBinaries.locate(in: binarySearchDirectories)
        let layout = self.layout
        try layout.checkSocketPathLength()
        let account = try ServerAccount.resolve()
        try prepareDirectories(layout, account: account)

        let lock = try StartLock(layout.startLock)
        defer { withExtendedLifetime(lock) {} }

        let connectionString = layout.connectionString(database: Self.database)
        if try isRunning(layout, binaries: binaries, account: account) {
            logger.info("reusing the running embedded PostgreSQL", metadata: ["data": "\(layout.data.path)"])
            guard Self.waitUntilAcceptingConnections(connectionString, timeout: .seconds(Self.startTimeoutSeconds)) else {
                throw .startFailed("a server is running but does not accept connections", logFile: layout.log.path, output: "")
            }
            try Self.createDatabaseIfMissing(Self.database, layout: layout)
            return Handle(connectionString: connectionString, startedByUs: false, dataDirectory: layout.data)
        }

        if !FileManager.default.fileExists(atPath: layout.versionFile.path) {
            try initialize(layout, binaries: binaries, account: account)
        }
        try writeSettings(layout, account: account)
        try serverStart(layout, binaries: binaries, account: account)
        let handle = Handle(connectionString: connectionString, startedByUs: true, dataDirectory: layout.data)
        do {
            try Self.createDatabaseIfMissing(Self.database, layout: layout)
        } catch {
            try? stop(handle)
            throw error
        }
        return handle
    }

    /// Stops the server with `pg_ctl stop -m fast`, only when `handle.startedByUs`.
    public func stop(_ handle: Handle) throws(EmbeddedPostgresError) {
        guard handle.startedByUs else { return }
        let binaries = try PostgresServerBinaries.locate(in: binarySearchDirectories)
        let account = try ServerAccount.resolve()
        let layout = self.layout
        guard try isRunning(layout, binaries: binaries, account: account) else { return }
        let result = try run(
            account, binaries.pgCtl,
            ["stop", "-D", layout.data.path, "-m", "fast", "-w", "-t", String(Self.startTimeoutSeconds)],
            in: layout.root, failure: { .stopFailed(layout.data.path, output: $0) }
        )
        guard result.succeeded else { throw .stopFailed(layout.data.path, output: result.transcript) }
        logger.info("stopped the embedded PostgreSQL", metadata: ["data": "\(layout.data.path)"])
    }

    // MARK: Steps

    private func prepareDirectories(_ layout: ClusterLayout, account: ServerAccount) throws(EmbeddedPostgresError) {
        let files = FileManager.default
        do {
            try files.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
            try files.createDirectory(at: layout.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try files.createDirectory(at: layout.socketDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .fileSystem("create \(layout.root.path)", error)
        }
        try account.takeOwnership(of: layout.root)
        try account.takeOwnership(of: layout.socketDirectory)
        try account.checkCanReach(layout.root, stateDirectory: stateDirectory)
    }

    /// Running means: a lock file naming a live postgres process, and `pg_ctl status` agrees.
    private func isRunning(_ layout: ClusterLayout, binaries: PostgresServerBinaries, account: ServerAccount) throws(EmbeddedPostgresError) -> Bool {
        guard let pidFile = PostmasterPIDFile(contentsOf: layout.pidFile), pidFile.processState == .alive else {
            return false
        }
        let status = try run(
            account, binaries.pgCtl, ["status", "-D", layout.data.path],
            in: layout.root, failure: { .startFailed("pg_ctl status failed", logFile: layout.log.path, output: $0) }
        )
        return status.succeeded
    }

    private func initialize(_ layout: ClusterLayout, binaries: PostgresServerBinaries, account: ServerAccount) throws(EmbeddedPostgresError) {
        if FileManager.default.fileExists(atPath: layout.data.path) {
            // No PG_VERSION: an interrupted initdb, never a usable cluster.
            logger.warning("removing an incomplete PostgreSQL data directory", metadata: ["data": "\(layout.data.path)"])
            do { try FileManager.default.removeItem(at: layout.data) } catch {
                throw .fileSystem("remove the incomplete \(layout.data.path)", error)
            }
        }
        logger.info("initialising the embedded PostgreSQL cluster", metadata: ["data": "\(layout.data.path)"])
        var arguments = [
            "-D", layout.data.path, "-U", Self.superuser, "-E", "UTF8",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        ]
        #if os(Linux)
        arguments.append("--locale=C.UTF-8")
        #else
        arguments.append("--no-locale")
        #endif
        let result = try run(
            account, binaries.initdb, arguments,
            in: layout.root, failure: { .initializationFailed(layout.data.path, output: $0) }
        )
        logger.debug("initdb finished", metadata: ["output": "\(result.transcript)"])
        guard result.succeeded else {
            try? FileManager.default.removeItem(at: layout.data)
            throw .initializationFailed(layout.data.path, output: result.transcript)
        }
        do {
            let include =
                "\n# Added by IPM: settings of the embedded server, rewritten on every start.\n"
                + "include_if_exists = '\(layout.settingsFileName)'\n"
            let handle = try FileHandle(forWritingTo: layout.mainConfig)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(include.utf8))
        } catch {
            throw .fileSystem("update \(layout.mainConfig.path)", error)
        }
    }

    private func writeSettings(_ layout: ClusterLayout, account: ServerAccount) throws(EmbeddedPostgresError) {
        func quoted(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        let settings = """
            # Written by IPM on every start of the embedded server; edits are overwritten.
            listen_addresses = ''
            port = \(ClusterLayout.port)
            unix_socket_directories = \(quoted(layout.socketDirectory.path))
            unix_socket_permissions = 0700
            # Several servers, CLI runs and workers share one machine's database; each
            # server pools IPM_DATABASE_MAX_CONNECTIONS (10) connections.
            max_connections = 300

            """
        do {
            try Data(settings.utf8).write(to: layout.settings)
        } catch {
            throw .fileSystem("write \(layout.settings.path)", error)
        }
        try account.takeOwnership(of: layout.settings)
    }

    private func serverStart(_ layout: ClusterLayout, binaries: PostgresServerBinaries, account: ServerAccount) throws(EmbeddedPostgresError) {
        if let stale = PostmasterPIDFile(contentsOf: layout.pidFile) {
            // The recorded postmaster is gone (see `PostmasterPIDFile`); PostgreSQL would be
            // fooled by a zombie, so remove the lock file once no backend is left attached.
            logger.warning("the embedded PostgreSQL did not shut down cleanly; recovering", metadata: ["pid": "\(stale.pid)"])
            guard stale.waitForDetachedSharedMemory(timeout: .seconds(30)) else {
                throw .startFailed("processes of a crashed server are still running", logFile: layout.log.path, output: "")
            }
            try? FileManager.default.removeItem(at: layout.pidFile)
        }
        // The socket has a lock file of its own, naming the same (dead) postmaster.
        if let socketLock = PostmasterPIDFile(contentsOf: layout.socketLockFile), socketLock.processState == .gone {
            try? FileManager.default.removeItem(at: layout.socketLockFile)
        }
        logger.info("starting the embedded PostgreSQL", metadata: ["socket": "\(layout.socketDirectory.path)"])
        let result = try run(
            account, binaries.pgCtl,
            ["start", "-D", layout.data.path, "-l", layout.log.path, "-w", "-t", String(Self.startTimeoutSeconds)],
            in: layout.root, leavesDaemon: true, failure: { .startFailed("pg_ctl start could not run", logFile: layout.log.path, output: $0) }
        )
        logger.debug("pg_ctl start finished", metadata: ["output": "\(result.transcript)"])
        guard result.succeeded else {
            throw .startFailed("pg_ctl start failed", logFile: layout.log.path, output: result.transcript + Self.tail(of: layout.log))
        }
        let connectionString = layout.connectionString(database: "postgres")
        guard Self.waitUntilAcceptingConnections(connectionString, timeout: .seconds(Self.startTimeoutSeconds)) else {
            throw .startFailed("the server does not accept connections", logFile: layout.log.path, output: Self.tail(of: layout.log))
        }
    }

    private func run(
        _ account: ServerAccount,
        _ executable: URL,
        _ arguments: [String],
        in directory: URL,
        leavesDaemon: Bool = false,
        failure: (String) -> EmbeddedPostgresError
    ) throws(EmbeddedPostgresError) -> ChildProcess.Result {
        do {
            return try account.run(executable, arguments, in: directory, leavesDaemon: leavesDaemon)
        } catch {
            throw failure("\(executable.path): \(error)")
        }
    }

    /// The end of the server log, for error details.
    private static func tail(of log: URL, lines: Int = 20) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return "" }
        return "\n--- \(log.path) (last \(lines) lines) ---\n"
            + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
