/// What went wrong talking to PostgreSQL.
///
/// A struct around a private enum (Hummingbird's `PersistError` style), so kinds can be
/// added without breaking callers. `==` compares the kind only: `error == .connectionLost`.
///
/// `description` is generic and safe to show anyone; `debugDescription` carries the
/// details for logs (SQLSTATE, the server's message, the SQL text — never bound values,
/// never the connection string).
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible, Equatable {
    private enum Kind: Sendable, Equatable {
        case invalidConfiguration
        case connectionFailed
        case connectionLost
        case queryFailed
        case decodingFailed
        case poolTimeout
        case poolClosed
    }

    private let kind: Kind
    /// The five-character SQLSTATE, e.g. `23505` (unique_violation), `40001`
    /// (serialization_failure); `nil` when the error did not come from the server.
    public private(set) var sqlState: String?
    /// The constraint a violation names (`PG_DIAG_CONSTRAINT_NAME`), when present.
    public private(set) var constraint: String?
    /// The server's primary message. For logs and operator tools only: it can quote data.
    public private(set) var serverMessage: String?
    /// libpq's or this layer's own explanation (client-side), for `debugDescription`.
    private(set) var detail: String?
    /// The SQL text of the failed statement (never its bound values).
    private(set) var sqlText: String?

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The connection string or pool settings are unusable.
    public static let invalidConfiguration = PostgresError(.invalidConfiguration)
    /// No connection could be opened (server down, unreachable, authentication refused).
    public static let connectionFailed = PostgresError(.connectionFailed)
    /// An open connection broke (server restart, network failure); it has been discarded.
    public static let connectionLost = PostgresError(.connectionLost)
    /// The server rejected a statement; see `sqlState`.
    public static let queryFailed = PostgresError(.queryFailed)
    /// A column was `NULL`, missing, or not readable as the requested type.
    public static let decodingFailed = PostgresError(.decodingFailed)
    /// No pooled connection became free within `acquireTimeout`.
    public static let poolTimeout = PostgresError(.poolTimeout)
    /// The client was closed.
    public static let poolClosed = PostgresError(.poolClosed)

    public static func == (lhs: PostgresError, rhs: PostgresError) -> Bool {
        lhs.kind == rhs.kind
    }

    public var description: String {
        switch kind {
        case .invalidConfiguration: "the database configuration is invalid"
        case .connectionFailed: "the database is unreachable"
        case .connectionLost: "the database connection was lost"
        case .queryFailed: "a database query failed"
        case .decodingFailed: "a database value could not be read"
        case .poolTimeout: "the database is busy (no connection became free in time)"
        case .poolClosed: "the database client has been shut down"
        }
    }

    public var debugDescription: String {
        var parts: [String] = []
        if let sqlState { parts.append("sqlState: \(sqlState)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let serverMessage { parts.append("message: \(serverMessage)") }
        if let detail { parts.append("detail: \(detail)") }
        if let sqlText { parts.append("sql: \(sqlText)") }
        return "PostgresError.\(kind)(\(parts.joined(separator: ", ")))"
    }

    /// A copy with more details; `nil` arguments keep what is there.
    func with(
        sqlState: String? = nil,
        constraint: String? = nil,
        serverMessage: String? = nil,
        detail: String? = nil,
        sqlText: String? = nil
    ) -> PostgresError {
        var copy = self
        copy.sqlState = sqlState ?? copy.sqlState
        copy.constraint = constraint ?? copy.constraint
        copy.serverMessage = serverMessage ?? copy.serverMessage
        copy.detail = detail ?? copy.detail
        copy.sqlText = sqlText ?? copy.sqlText
        return copy
    }

    static func decoding(_ type: Any.Type) -> PostgresError {
        decodingFailed.with(detail: "the text is not a valid \(type)")
    }
}
