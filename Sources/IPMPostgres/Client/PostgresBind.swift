/// One bind parameter in PostgreSQL's text format; `nil` text is SQL `NULL`.
public struct PostgresBind: Sendable, Hashable {
    /// The text PostgreSQL parses for the parameter's type, or `nil` for `NULL`.
    public var text: String?

    public init(text: String?) {
        self.text = text
    }

    public static let null = PostgresBind(text: nil)
}

/// A Swift value that can be sent as a bind parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

/// A Swift value that can be read from PostgreSQL's text output of a column.
public protocol PostgresDecodable {
    init(postgresText: String) throws(PostgresError)
}
