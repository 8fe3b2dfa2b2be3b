import CLibPQ
public import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EmbeddedPostgres {
    /// Starts the idle watcher unless one runs (it holds `watcher.lock`). Two programs may
    /// both start one; the second finds the lock taken and ends at once.
    func startWatcherUnlessRunning(_ watcher: IdleWatcher) {
        let layout = self.layout
        do {
            guard let vacant = try FileLock.attempt(layout.watcherLock, .exclusive) else { return }
            vacant.release()
            let pid = try ChildProcess.spawnDetached(watcher.executable, watcher.arguments, output: layout.watcherLog)
            logger.debug("started the embedded PostgreSQL's idle watcher", metadata: ["pid": "\(pid)"])
        } catch {
            // The server runs regardless; the next program to use it tries again.
            logger.warning("could not start the embedded PostgreSQL's idle watcher", metadata: ["error": "\(error)"])
        }
    }

    /// The idle watcher's loop: stops the server once, for `idleStop` on end, no IPM program
    /// held it in use and no client was connected, then returns. Also returns when the
    /// server stopped otherwise, or when another watcher runs. Blocks; run it in a process
    /// of its own (`IdleWatcher`).
    public func watch(idleStop: Duration) {
        let layout = self.layout
        guard let own = try? FileLock.attempt(layout.watcherLock, .exclusive) else {
            logger.debug("another idle watcher runs")
            return
        }
        defer { own.release() }
        own.write("\(getpid())\n")
        logger.info("watching the embedded PostgreSQL", metadata: ["data": "\(layout.data.path)", "idle_stop": "\(idleStop)"])
        let poll = min(max(idleStop / 10, .milliseconds(100)), .seconds(5))
        let connections = ConnectionCount(connectionString: layout.connectionString(database: "postgres"))
        defer { connections.close() }
        var lastUsed = ContinuousClock.now
        while true {
            guard let pidFile = PostmasterPIDFile(contentsOf: layout.pidFile), pidFile.processState == .alive else {
                logger.info("the embedded PostgreSQL is not running any more")
                return
            }
            // Held exclusively while deciding, so no program starts using the server meanwhile.
            if let unused = try? FileLock.attempt(layout.useLock, .exclusive) {
                if connections.clients() != 0 {
                    lastUsed = .now
                } else if ContinuousClock.now - lastUsed >= idleStop {
                    connections.close()
                    do {
                        if try stopServer() { logger.notice("stopped the embedded PostgreSQL after \(idleStop) unused") }
                    } catch {
                        logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error.debugDescription)"])
                    }
                    unused.release()
                    return
                }
                unused.release()
            } else {
                lastUsed = .now
            }
            Thread.sleep(forTimeInterval: poll.seconds)
        }
    }

    /// Client connections other than the caller's, with a connection of its own; `nil` when
    /// the server cannot be asked.
    static func clientConnections(_ layout: ClusterLayout) -> Int? {
        let count = ConnectionCount(connectionString: layout.connectionString(database: "postgres"))
        defer { count.close() }
        return count.clients()
    }

    /// The embedded cluster as `ipm database status` shows it.
    public struct Status: Sendable {
        public let dataDirectory: URL
        public let socketDirectory: URL
        /// The postmaster's pid when it runs.
        public let pid: Int32?
        public let startedAt: Date?
        /// Whether an IPM program holds it in use right now.
        public let inUse: Bool
        /// Client connections (IPM's pools, psql, …) when it runs and answered.
        public let connections: Int?
        /// The idle watcher's pid when one runs.
        public let watcherPID: Int32?

        public var isRunning: Bool { pid != nil }
    }

    /// Looks without starting or changing anything.
    public func status() -> Status {
        let layout = self.layout
        let pidFile = PostmasterPIDFile(contentsOf: layout.pidFile).flatMap { $0.processState == .alive ? $0 : nil }
        var watcherPID: Int32?
        if Self.isLocked(layout.watcherLock) {
            let text = (try? String(contentsOf: layout.watcherLock, encoding: .utf8)) ?? ""
            watcherPID = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return Status(
            dataDirectory: layout.data, socketDirectory: layout.socketDirectory, pid: pidFile?.pid, startedAt: pidFile?.startedAt,
            inUse: Self.isLocked(layout.useLock), connections: pidFile == nil ? nil : Self.clientConnections(layout), watcherPID: watcherPID
        )
    }
}

extension EmbeddedPostgres {
    /// Whether some process holds a lock on `url` (trying for it, and letting go at once).
    fileprivate static func isLocked(_ url: URL) -> Bool {
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        do {
            return try FileLock.attempt(url, .exclusive) == nil
        } catch {
            return false
        }
    }
}

/// Counts client backends other than its own, on one libpq connection it keeps (the watcher
/// asks every few seconds) and reopens after a failure.
private final class ConnectionCount {
    private let connectionString: String
    private var connection: OpaquePointer?

    init(connectionString: String) {
        self.connectionString = connectionString + " connect_timeout=5 application_name=ipm-idle-watcher"
    }

    func clients() -> Int? {
        if connection == nil {
            connection = PQconnectdb(connectionString)
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            close()
            return nil
        }
        let sql = "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        guard let result = PQexec(connection, sql) else {
            close()
            return nil
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK, PQntuples(result) == 1, let value = PQgetvalue(result, 0, 0) else {
            close()
            return nil
        }
        return Int(String(cString: value))
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
