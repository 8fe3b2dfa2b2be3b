import Foundation

/// The embedded cluster's files under the state directory:
/// `postgres/data` (the cluster), `postgres/socket` (the unix socket), `postgres/server.log`,
/// and the lock files and log of the programs that share it.
struct ClusterLayout: Sendable {
    /// Only names the socket file (`.s.PGSQL.5432`); there is no TCP listener.
    static let port = 5432
    /// Stay well inside sun_path (108 bytes on Linux, 104 on macOS).
    static let socketPathLimit = 100

    let stateDirectory: URL

    var root: URL { stateDirectory.appending(path: "postgres", directoryHint: .isDirectory) }
    var data: URL { root.appending(path: "data", directoryHint: .isDirectory) }
    var socketDirectory: URL { root.appending(path: "socket", directoryHint: .isDirectory) }
    var log: URL { root.appending(path: "server.log") }
    var startLock: URL { root.appending(path: "start.lock") }
    /// Shared-locked by every IPM program using the cluster (see `FileLock`).
    var useLock: URL { root.appending(path: "in-use.lock") }
    /// Exclusively locked by the idle watcher, and holding its pid.
    var watcherLock: URL { root.appending(path: "watcher.lock") }
    /// The idle watcher's standard output and error.
    var watcherLog: URL { root.appending(path: "watcher.log") }
    var socketFile: URL { socketDirectory.appending(path: ".s.PGSQL.\(Self.port)") }
    var socketLockFile: URL { socketDirectory.appending(path: ".s.PGSQL.\(Self.port).lock") }
    var versionFile: URL { data.appending(path: "PG_VERSION") }
    var pidFile: URL { data.appending(path: "postmaster.pid") }
    var mainConfig: URL { data.appending(path: "postgresql.conf") }
    /// Rewritten on every start, so a moved state directory gets the right socket path.
    var settingsFileName: String { "ipm-embedded.conf" }
    var settings: URL { data.appending(path: settingsFileName) }

    func checkSocketPathLength() throws(EmbeddedPostgresError) {
        let path = socketFile.path
        if path.utf8.count >= Self.socketPathLimit {
            throw .socketPathTooLong(path, limit: Self.socketPathLimit)
        }
    }

    /// libpq key=value connection string for database `database` as user `ipm`.
    func connectionString(database: String) -> String {
        [
            ("host", socketDirectory.path),
            ("port", String(Self.port)),
            ("dbname", database),
            ("user", EmbeddedPostgres.superuser),
        ]
        .map { "\($0.0)=\(Self.quoted($0.1))" }
        .joined(separator: " ")
    }

    /// libpq quoting: single quotes, with backslash escapes for `'` and `\`.
    private static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "=" }
        if plain { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return "'\(escaped)'"
    }
}
