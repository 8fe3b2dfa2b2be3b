public import Foundation
public import Logging

/// A local PostgreSQL cluster the app runs itself when no database is configured.
///
/// The cluster lives under `<state dir>/postgres`, listens on a unix socket only
/// (`listen_addresses = ''`) and trusts local socket connections for superuser `ipm`. It is
/// shared by every IPM program on the machine that uses the state directory: the first one
/// that needs it starts it, the others find it running, and it keeps running between
/// commands. With an `IdleWatcher` a small detached process stops it once no program and no
/// client has used it for a while; without one, the last program out stops it (`stop(_:)`).
public struct EmbeddedPostgres: Sendable {
    /// What a caller needs to connect. It holds the cluster "in use" (see `FileLock`) until
    /// `release(_:)` or `stop(_:)`, or until the process ends.
    public struct Handle: Sendable {
        /// libpq key=value: `host=<socket dir> port=5432 dbname=ipm user=ipm`.
        public let connectionString: String
        /// Whether this call started the server (informational: any user may stop it last).
        public let startedByUs: Bool
        public let dataDirectory: URL
        let use: FileLock
    }

    /// How to start the idle watcher (a program of ours that calls `watch(idleStop:)`), and
    /// after how long without a user it stops the server.
    public struct IdleWatcher: Sendable {
        public let idleStop: Duration
        public let executable: URL
        public let arguments: [String]

        public init(idleStop: Duration, executable: URL, arguments: [String]) {
            self.idleStop = idleStop
            self.executable = executable
            self.arguments = arguments
        }
    }

    static let superuser = "ipm"
    static let database = "ipm"
    static let startTimeoutSeconds = 60

    let stateDirectory: URL
    let logger: Logger
    /// Overrides where the server binaries are looked for (tests use an empty directory).
    let binarySearchDirectories: [URL]?
    let idleWatcher: IdleWatcher?

    public init(stateDirectory: URL, logger: Logger, idleWatcher: IdleWatcher? = nil) {
        self.init(stateDirectory: stateDirectory, logger: logger, binarySearchDirectories: nil, idleWatcher: idleWatcher)
    }

    init(stateDirectory: URL, logger: Logger, binarySearchDirectories: [URL]?, idleWatcher: IdleWatcher? = nil) {
        self.stateDirectory = stateDirectory.standardizedFileURL
        self.logger = logger
        self.binarySearchDirectories = binarySearchDirectories
        self.idleWatcher = idleWatcher
    }

    var layout: ClusterLayout { ClusterLayout(stateDirectory: stateDirectory) }

    /// Marks the cluster in use and returns how to connect. When it already runs and says it
    /// is ready, that is all: no child process, no connection. Otherwise, under the start
    /// lock, it finds the server binaries, initialises the cluster on first use, starts it
    /// with `pg_ctl` unless another program just did, waits until it accepts connections and
    /// creates database `ipm` if missing. Then it starts the idle watcher if none runs.
    /// Blocks (on a stop in progress, or a start); call it off the cooperative pool.
    public func start() throws(EmbeddedPostgresError) -> Handle {
        let layout = self.layout
        try layout.checkSocketPathLength()
        if !FileManager.default.fileExists(atPath: layout.useLock.path) {
            try prepareDirectories(layout, account: try ServerAccount.resolve())
        }
        // Waits while an idle stop is under way, then starts the server again below.
        let use = try FileLock(layout.useLock, .shared)
        var startedByUs = false
        if PostmasterPIDFile(contentsOf: layout.pidFile)?.isReady != true {
            startedByUs = try startServer(layout)
        }
        if let idleWatcher { startWatcherUnlessRunning(idleWatcher) }
        return Handle(
            connectionString: layout.connectionString(database: Self.database), startedByUs: startedByUs, dataDirectory: layout.data, use: use)
    }

    /// This program no longer uses the cluster; it keeps running for the others (and the
    /// idle watcher, if any, stops it later).
    public func release(_ handle: Handle) {
        handle.use.release()
    }

    /// Releases the cluster and stops it with `pg_ctl stop -m fast`, unless another IPM
    /// program still uses it (the last one out stops it).
    public func stop(_ handle: Handle) throws(EmbeddedPostgresError) {
        handle.use.release()
        _ = try stopUnlessInUse(countingConnections: false)
    }

    /// What `stopNow(force:)` did.
    public enum StopOutcome: Sendable, Equatable {
        case stopped, notRunning
        /// An IPM program uses the cluster, and `force` was not given.
        case inUse
    }

    /// Stops the server now (`ipm database stop`): refused while an IPM program uses it,
    /// unless `force`, which disconnects them.
    public func stopNow(force: Bool) throws(EmbeddedPostgresError) -> StopOutcome {
        guard FileManager.default.fileExists(atPath: layout.pidFile.path) else { return .notRunning }
        if force { return try stopServer() ? .stopped : .notRunning }
        guard let unused = try FileLock.attempt(layout.useLock, .exclusive) else { return .inUse }
        defer { unused.release() }
        return try stopServer() ? .stopped : .notRunning
    }

    /// Stops the server if no IPM program holds it in use (and, with `countingConnections`,
    /// no client is connected). Holding the in-use lock exclusively meanwhile, so no program
    /// starts using it half-way; one that arrives waits and starts it again.
    func stopUnlessInUse(countingConnections: Bool) throws(EmbeddedPostgresError) -> Bool {
        guard let unused = try FileLock.attempt(layout.useLock, .exclusive) else { return false }
        defer { unused.release() }
        if countingConnections, Self.clientConnections(layout) != 0 { return false }
        return try stopServer()
    }

    /// `pg_ctl stop -m fast` when a postmaster runs; whether it did.
    func stopServer() throws(EmbeddedPostgresError) -> Bool {
        let layout = self.layout
        guard let pidFile = PostmasterPIDFile(contentsOf: layout.pidFile), pidFile.processState == .alive else { return false }
        let binaries = try PostgresServerBinaries.locate(in: binarySearchDirectories)
        let account = try ServerAccount.resolve()
        let result = try run(
            account, binaries.pgCtl,
            ["stop", "-D", layout.data.path, "-m", "fast", "-w", "-t", String(Self.startTimeoutSeconds)],
            in: layout.root, failure: { .stopFailed(layout.data.path, output: $0) }
        )
        guard result.succeeded else { throw .stopFailed(layout.data.path, output: result.transcript) }
        logger.info("stopped the embedded PostgreSQL", metadata: ["data": "\(layout.data.path)"])
        return true
    }

    /// The slow path of `start()`, under the start lock; whether this call started the server.
    private func startServer(_ layout: ClusterLayout) throws(EmbeddedPostgresError) -> Bool {
        let binaries = try PostgresServerBinaries.locate(in: binarySearchDirectories)
        let account = try ServerAccount.resolve()
        try prepareDirectories(layout, account: account)

        let lock = try FileLock(layout.startLock, .exclusive)
        defer { lock.release() }

        let connectionString = layout.connectionString(database: Self.database)
        if let running = PostmasterPIDFile(contentsOf: layout.pidFile), running.processState == .alive {
            // Another program started it while we waited for the lock (or someone by hand).
            logger.info("reusing the running embedded PostgreSQL", metadata: ["data": "\(layout.data.path)"])
            guard Self.waitUntilAcceptingConnections(connectionString, timeout: .seconds(Self.startTimeoutSeconds)) else {
                throw .startFailed("a server is running but does not accept connections", logFile: layout.log.path, output: "")
            }
            try Self.createDatabaseIfMissing(Self.database, layout: layout)
            return false
        }

        if !FileManager.default.fileExists(atPath: layout.versionFile.path) {
            try initialize(layout, binaries: binaries, account: account)
        }
        try writeSettings(layout, account: account)
        try serverStart(layout, binaries: binaries, account: account)
        do {
            try Self.createDatabaseIfMissing(Self.database, layout: layout)
        } catch {
            _ = try? stopServer()
            throw error
        }
        return true
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
        // A cluster the account initialised once is within its reach: spare the check (a child process).
        if !FileManager.default.fileExists(atPath: layout.versionFile.path) {
            try account.checkCanReach(layout.root, stateDirectory: stateDirectory)
        }
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
