import CLibPQ
import Foundation

/// Where the database is and how the pool behaves.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A libpq connection string or URL (`postgresql://…`, `host=… dbname=…`), or `""`
    /// meaning libpq's own `PG*` environment variables, service file and `.pgpass`.
    public var connectionString: String
    /// The most connections the pool opens at once.
    public var maxConnections: Int
    /// How long a request waits for a free connection before `.poolTimeout`.
    public var acquireTimeout: Duration
    /// libpq's `connect_timeout`, unless the connection string or `PGCONNECT_TIMEOUT` sets one.
    public var connectTimeoutSeconds: Int
    /// TCP keepalive idle time, so a silently dead server is noticed (unless the string sets keepalives).
    public var keepaliveIdleSeconds: Int = 30
    /// `application_name` used when neither the string nor `PGAPPNAME` sets one.
    public var applicationName: String = "ipm"
    /// How many statements each connection keeps prepared (least recently used out first);
    /// 0 runs every statement unprepared (`PQexecParams`), as before decision 69.
    public var preparedStatementCapacity: Int = 256

    public init(connectionString: String, maxConnections: Int = 10) {
        self.connectionString = connectionString
        self.maxConnections = maxConnections
        self.acquireTimeout = .seconds(10)
        self.connectTimeoutSeconds = 5
    }

    /// No connection string here: it may carry a password.
    public var description: String {
        "PostgresConfiguration(maxConnections: \(maxConnections), acquireTimeout: \(acquireTimeout), connectTimeoutSeconds: \(connectTimeoutSeconds), preparedStatementCapacity: \(preparedStatementCapacity))"
    }

    /// Checks the string with `PQconninfoParse` and the pool settings; a malformed string
    /// throws `.invalidConfiguration` with libpq's message (which contains no password).
    public func validate() throws(PostgresError) {
        guard maxConnections >= 1 else {
            throw PostgresError.invalidConfiguration.with(detail: "maxConnections must be at least 1")
        }
        guard acquireTimeout > .zero, connectTimeoutSeconds >= 0 else {
            throw PostgresError.invalidConfiguration.with(detail: "timeouts must be positive")
        }
        guard preparedStatementCapacity >= 0 else {
            throw PostgresError.invalidConfiguration.with(detail: "preparedStatementCapacity must not be negative")
        }
        _ = try explicitKeywords()
    }

    /// The keywords the connection string itself sets (not its defaults).
    func explicitKeywords() throws(PostgresError) -> Set<String> {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "libpq could not parse the connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError.invalidConfiguration.with(
                detail: message.trimmingCharacters(in: .whitespacesAndNewlines)
            )
        }
        defer { PQconninfoFree(options) }
        var keywords: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val, value.pointee != 0 {
                keywords.insert(String(cString: keyword))
            }
            option += 1
        }
        return keywords
    }

    /// The keyword/value pairs for `PQconnectdbParams(…, expand_dbname: 1)`: our defaults
    /// first, then the connection string as `dbname`, so anything the string sets wins
    /// (libpq: "array entries before an expanded dbname can be overridden by it").
    func connectParameters(environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresError) -> [(String, String)] {
        let explicit = try explicitKeywords()
        var parameters: [(String, String)] = []
        if !explicit.contains("connect_timeout"), environment["PGCONNECT_TIMEOUT"] == nil {
            parameters.append(("connect_timeout", String(connectTimeoutSeconds)))
        }
        if explicit.isDisjoint(with: ["keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count"]) {
            parameters.append(("keepalives", "1"))
            parameters.append(("keepalives_idle", String(keepaliveIdleSeconds)))
            parameters.append(("keepalives_interval", "10"))
            parameters.append(("keepalives_count", "3"))
        }
        if !explicit.contains("application_name"), environment["PGAPPNAME"] == nil {
            parameters.append(("application_name", applicationName))
        }
        if !connectionString.isEmpty {
            parameters.append(("dbname", connectionString))
        }
        return parameters
    }
}
