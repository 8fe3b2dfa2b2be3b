import Foundation

/// Why the embedded PostgreSQL could not be started or stopped.
///
/// `description` is one line meant for an operator; the output of the failing command
/// (initdb, pg_ctl, …) is kept in `debugDescription` and in the server log.
public struct EmbeddedPostgresError: Error, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private enum Kind: Equatable {
        case binariesNotFound
        case noUnprivilegedUser
        case stateDirectoryNotReachable
        case socketPathTooLong
        case fileSystem
        case initializationFailed
        case startFailed
        case databaseSetupFailed
        case stopFailed
    }

    private let kind: Kind
    /// One line, suitable for the start-up failure message.
    public let description: String
    /// The captured output of the failing command, if any.
    public let details: String

    private init(_ kind: Kind, _ description: String, details: String = "") {
        self.kind = kind
        self.description = description
        self.details = details
    }

    public var debugDescription: String {
        details.isEmpty ? description : "\(description)\n\(details)"
    }

    /// Errors compare by kind only, so callers can match `error == .binariesNotFound`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.kind == rhs.kind }

    /// initdb, pg_ctl or postgres is missing.
    public static var binariesNotFound: Self { .init(.binariesNotFound, "") }
    /// Running as root, and there is no unprivileged `postgres` user to run the server as.
    public static var noUnprivilegedUser: Self { .init(.noUnprivilegedUser, "") }
    /// Running as root, and the `postgres` user cannot reach the state directory.
    public static var stateDirectoryNotReachable: Self { .init(.stateDirectoryNotReachable, "") }
    /// The unix socket path would exceed the platform's limit.
    public static var socketPathTooLong: Self { .init(.socketPathTooLong, "") }
    /// A directory or file under the state directory could not be created or changed.
    public static var fileSystem: Self { .init(.fileSystem, "") }
    /// initdb failed.
    public static var initializationFailed: Self { .init(.initializationFailed, "") }
    /// pg_ctl start failed or the server did not become ready.
    public static var startFailed: Self { .init(.startFailed, "") }
    /// The `ipm` database could not be checked or created.
    public static var databaseSetupFailed: Self { .init(.databaseSetupFailed, "") }
    /// pg_ctl stop failed.
    public static var stopFailed: Self { .init(.stopFailed, "") }
}

extension EmbeddedPostgresError {
    static func binariesNotFound(missing: [String], searched: [String]) -> Self {
        .init(
            .binariesNotFound,
            "PostgreSQL server binaries (\(missing.joined(separator: ", "))) not found: install them with "
                + "`apt-get install postgresql`, or set IPM_DATABASE_URL to use an existing server",
            details: "searched: \(searched.joined(separator: ", "))"
        )
    }

    static func noUnprivilegedUser(_ user: String) -> Self {
        .init(
            .noUnprivilegedUser,
            "PostgreSQL refuses to run as root and there is no unprivileged `\(user)` user to run it as: "
                + "create one (`apt-get install postgresql` does), run as another user, or set IPM_DATABASE_URL"
        )
    }

    static func stateDirectoryNotReachable(_ path: String, user: String) -> Self {
        .init(
            .stateDirectoryNotReachable,
            "the `\(user)` user cannot reach the state directory \(path) (a parent directory is not traversable): "
                + "set IPM_STATE_DIR=/var/lib/ipm or another directory outside a private home"
        )
    }

    static func socketPathTooLong(_ path: String, limit: Int) -> Self {
        .init(
            .socketPathTooLong,
            "the PostgreSQL socket path \(path) is longer than \(limit) bytes: set IPM_STATE_DIR to a shorter directory"
        )
    }

    static func fileSystem(_ what: String, _ error: any Error) -> Self {
        .init(.fileSystem, "cannot \(what): \(error.localizedDescription)", details: String(describing: error))
    }

    static func initializationFailed(_ dataDirectory: String, output: String) -> Self {
        .init(
            .initializationFailed,
            "initdb could not create the PostgreSQL cluster in \(dataDirectory) (details in the log)",
            details: output
        )
    }

    static func startFailed(_ reason: String, logFile: String, output: String) -> Self {
        .init(.startFailed, "the embedded PostgreSQL did not start: \(reason); see \(logFile)", details: output)
    }

    static func databaseSetupFailed(_ message: String) -> Self {
        .init(.databaseSetupFailed, "cannot prepare the `ipm` database in the embedded PostgreSQL", details: message)
    }

    static func stopFailed(_ dataDirectory: String, output: String) -> Self {
        .init(.stopFailed, "pg_ctl could not stop the embedded PostgreSQL in \(dataDirectory)", details: output)
    }
}
