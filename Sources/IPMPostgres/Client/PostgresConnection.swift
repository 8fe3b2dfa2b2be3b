import CLibPQ
import Foundation
import Logging

/// A leased connection, lent by `PostgresClient` inside `withConnection`/`withTransaction`.
///
/// Its methods block (they call libpq). They only ever run on the connection's own
/// dispatch queue, never on Swift concurrency's cooperative threads, so the class is not
/// `Sendable`: do not keep it beyond the closure it was lent to.
public final class PostgresConnection {
    /// The `PGconn`, owned: `PQfinish` in `deinit`.
    private let handle: OpaquePointer
    private let logger: Logger
    /// Set once libpq reports `CONNECTION_BAD`; the pool then discards the connection.
    private(set) var isBroken = false

    private init(handle: OpaquePointer, logger: Logger) {
        self.handle = handle
        self.logger = logger
    }

    deinit {
        PQfinish(handle)
    }

    /// Opens a connection (blocking) and sets the session to UTC / ISO dates / hex bytea.
    static func connect(configuration: PostgresConfiguration, logger: Logger) throws(PostgresError) -> PostgresConnection {
        let parameters = try configuration.connectParameters()
        let raw = withCStringArrays(parameters) { keywords, values in
            PQconnectdbParams(keywords, values, 1)
        }
        guard let raw else {
            throw PostgresError.connectionFailed.with(detail: "libpq could not allocate a connection")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(raw)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(raw)
            logger.error("cannot connect to PostgreSQL", metadata: ["postgres.error": "\(message)"])
            throw PostgresError.connectionFailed.with(detail: message)
        }
        // The default notice processor prints to stderr (e.g. the shutdown notice).
        PQsetNoticeProcessor(raw, { _, _ in }, nil)
        let connection = PostgresConnection(handle: raw, logger: logger)
        do {
            try connection.executeScript("SET TIME ZONE 'UTC'; SET DateStyle TO 'ISO, YMD'; SET bytea_output TO 'hex'")
        } catch {
            throw PostgresError.connectionFailed.with(
                sqlState: error.sqlState, serverMessage: error.serverMessage, detail: "session setup failed"
            )
        }
        logger.debug(
            "connected to PostgreSQL",
            metadata: [
                "postgres.server_version": "\(PQserverVersion(raw))",
                "postgres.backend_pid": "\(PQbackendPID(raw))",
            ])
        return connection
    }

    // MARK: Statements

    /// Runs `sql` with its binds (`PQexecParams`, text format) and returns every row.
    @discardableResult
    public func query(_ sql: SQL) throws(PostgresError) -> [PostgresRow] {
        try run(sql).rows()
    }

    /// Runs `sql` with its binds and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) throws(PostgresError) -> Int {
        try run(sql).affectedRows
    }

    /// Runs several `;`-separated statements without binds (`PQexec`), for migrations.
    public func executeScript(_ text: String) throws(PostgresError) {
        try ensureUsable(sqlText: text)
        let result = PQexec(handle, text)
        _ = try check(result, sqlText: text)
    }

    /// The server process serving this connection (useful in logs and tests).
    public var backendPID: Int { Int(PQbackendPID(handle)) }

    // MARK: Pool support

    /// Reads whatever the server sent while the connection sat idle (a shutdown sends a
    /// termination notice and closes the socket) and reports whether it is still usable.
    /// Never blocks: libpq's socket is non-blocking and `PQconsumeInput` only reads what is there.
    func checkAlive() -> Bool {
        guard !isBroken else { return false }
        // Twice: the first read may return the notice, the second then sees end-of-file.
        for _ in 0..<2 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                isBroken = true
                return false
            }
        }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Whether a transaction is open (or failed and still open).
    var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Commits, but refuses to report success for a transaction the server already aborted
    /// (where `COMMIT` silently becomes `ROLLBACK`).
    func commit() throws(PostgresError) {
        if PQtransactionStatus(handle) == PQTRANS_INERROR {
            rollbackQuietly()
            throw PostgresError.queryFailed.with(detail: "the transaction was aborted by an earlier error and has been rolled back")
        }
        try executeScript("COMMIT")
    }

    /// Rolls back whatever is open; failures only mark the connection broken.
    func rollbackQuietly() {
        guard !isBroken else { return }
        do {
            try executeScript("ROLLBACK")
        } catch {
            logger.warning("ROLLBACK failed; discarding the connection", metadata: ["postgres.error": "\(error.debugDescription)"])
            isBroken = true
        }
    }

    /// Before going back to the pool: nothing may stay open from this lease.
    func resetAfterLease() {
        guard !isBroken, PQstatus(handle) == CONNECTION_OK else {
            isBroken = true
            return
        }
        if isInTransaction || PQtransactionStatus(handle) == PQTRANS_ACTIVE {
            logger.warning("a lent connection came back inside a transaction; rolling it back")
            rollbackQuietly()
            if PQtransactionStatus(handle) != PQTRANS_IDLE { isBroken = true }
        }
    }

    // MARK: Internals

    private func run(_ sql: SQL) throws(PostgresError) -> PostgresResult {
        try ensureUsable(sqlText: sql.text)
        let values = sql.binds.map(\.text)
        // Text-format parameters are C strings: a NUL byte would silently cut the value.
        if values.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError.queryFailed.with(detail: "a bound value contains a NUL byte", sqlText: sql.text)
        }
        let result = withCStringArray(values) { pointers in
            PQexecParams(handle, sql.text, Int32(pointers.count), nil, pointers.baseAddress, nil, nil, 0)
        }
        return try check(result, sqlText: sql.text)
    }

    private func ensureUsable(sqlText: String) throws(PostgresError) {
        guard !isBroken else {
            throw PostgresError.connectionLost.with(detail: "the connection is already broken", sqlText: sqlText)
        }
    }

    /// Takes ownership of `raw` and turns every failure into a `PostgresError`.
    private func check(_ raw: OpaquePointer?, sqlText: String) throws(PostgresError) -> PostgresResult {
        let result = raw.map(PostgresResult.init)
        let status = raw.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            if let result { return result }
        default:
            break
        }
        let sqlState = result?.errorField(PostgresResult.sqlStateField)
        let serverMessage = result?.errorField(PostgresResult.primaryMessageField)
        let constraint = result?.errorField(PostgresResult.constraintField)
        let clientMessage = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)

        if PQstatus(handle) == CONNECTION_BAD {
            isBroken = true
            logger.error(
                "PostgreSQL connection lost",
                metadata: [
                    "postgres.sqlstate": "\(sqlState ?? "-")",
                    "postgres.error": "\(clientMessage)",
                ])
            throw PostgresError.connectionLost.with(
                sqlState: sqlState, serverMessage: serverMessage, detail: clientMessage, sqlText: sqlText
            )
        }
        if status != PGRES_FATAL_ERROR && status != PGRES_NONFATAL_ERROR {
            // COPY or pipeline states are not supported; such a connection cannot be reused.
            isBroken = true
        }
        logger.debug(
            "PostgreSQL statement failed",
            metadata: [
                "postgres.sqlstate": "\(sqlState ?? "-")",
                "postgres.message": "\(serverMessage ?? clientMessage)",
                "postgres.sql": "\(sqlText)",
            ])
        throw PostgresError.queryFailed.with(
            sqlState: sqlState,
            constraint: constraint,
            serverMessage: serverMessage,
            detail: serverMessage == nil ? clientMessage : nil,
            sqlText: sqlText
        )
    }
}

/// Calls `body` with NULL-terminated arrays of C strings for libpq's keyword/value API.
private func withCStringArrays<R>(
    _ pairs: [(String, String)],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R
) -> R {
    let keywords = pairs.map { UnsafePointer(strdup($0.0)) } + [nil]
    let values = pairs.map { UnsafePointer(strdup($0.1)) } + [nil]
    defer {
        for pointer in keywords + values { free(UnsafeMutablePointer(mutating: pointer)) }
    }
    return keywords.withUnsafeBufferPointer { keywordBuffer in
        values.withUnsafeBufferPointer { valueBuffer in
            body(keywordBuffer.baseAddress!, valueBuffer.baseAddress!)
        }
    }
}

/// Calls `body` with an array of C strings (`nil` stays `NULL`).
private func withCStringArray<R>(_ strings: [String?], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers: [UnsafePointer<CChar>?] = strings.map { $0.map { UnsafePointer(strdup($0)) } }
    defer {
        for pointer in pointers { free(UnsafeMutablePointer(mutating: pointer)) }
    }
    return pointers.withUnsafeBufferPointer(body)
}
