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
    /// This session's prepared statements, by SQL text (decision 69).
    private var statements: PreparedStatements
    /// The column sets of recent results, most recent first: a statement run again gets the
    /// names (and their index) it had last time instead of building them anew (decision 81).
    private var recentColumns: [PostgresColumns] = []

    private init(handle: OpaquePointer, logger: Logger, preparedStatementCapacity: Int) {
        self.handle = handle
        self.logger = logger
        self.statements = PreparedStatements(capacity: preparedStatementCapacity)
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
        let connection = PostgresConnection(
            handle: raw, logger: logger, preparedStatementCapacity: configuration.preparedStatementCapacity)
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

    /// Runs `sql` with its binds (text format) and returns every row. A statement the server
    /// plans is prepared once per connection (`PQprepare`) and then run by name
    /// (`PQexecPrepared`); others go through `PQexecParams`.
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

    /// How many statements this connection keeps prepared (for tests and diagnostics).
    public var preparedStatementCount: Int { statements.count }

    /// The server process serving this connection (useful in logs and tests).
    public var backendPID: Int { Int(PQbackendPID(handle)) }

    // MARK: Pool support

    /// Reads whatever the server sent while the connection sat idle (a shutdown sends a
    /// termination notice and closes the socket) and reports whether it is still usable.
    /// Never blocks: libpq's socket is non-blocking and `PQconsumeInput` only reads what is there.
    func checkAlive() -> Bool {
        guard !isBroken else { return false }
        // Nothing to read and no hang-up: alive, for one `poll` instead of two reads.
        var watched = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        if watched.fd >= 0, poll(&watched, 1, 0) == 0 {
            return PQtransactionStatus(handle) == PQTRANS_IDLE
        }
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
        closeStaleStatements()
    }

    // MARK: Without blocking (decision 70)

    /// Runs `sql` like `query`/`execute`, without blocking the calling thread: the statement
    /// is sent from the caller's task, which then waits on `PostgresEventLoop` for the
    /// socket and reads the answer itself — no thread of its own, no hop to one. Statements
    /// that would block (a `DEALLOCATE` of an evicted statement) are left to `resetAfterLease`.
    func runWithoutBlocking(_ sql: SQL) async throws(PostgresError) -> PostgresResult {
        let values = try parameters(sql)
        guard statements.capacity > 0, PreparedStatements.isPlannable(sql.text) else {
            return try await exchange(sqlText: sql.text) {
                withCStringArray(values) { pointers in
                    PQsendQueryParams(handle, sql.text, Int32(pointers.count), nil, pointers.baseAddress, nil, nil, 0)
                }
            }
        }
        do {
            return try await runPreparedWithoutBlocking(sql.text, values)
        } catch  where error.invalidatesPreparedStatement {
            statements.forget(sql.text)
            guard PQtransactionStatus(handle) == PQTRANS_IDLE else { throw error }
            return try await runPreparedWithoutBlocking(sql.text, values)
        }
    }

    /// Whether the connection must be tidied (`resetAfterLease`, which blocks) before it is
    /// lent again: a transaction left open, or statements to close.
    var needsReset: Bool {
        isBroken || PQtransactionStatus(handle) != PQTRANS_IDLE || !statements.stale.isEmpty
    }

    private func runPreparedWithoutBlocking(_ text: String, _ values: [String?]) async throws(PostgresError) -> PostgresResult {
        let name: String
        if let known = statements.name(for: text) {
            name = known
        } else {
            name = statements.newName()
            _ = try await exchange(sqlText: text) { PQsendPrepare(handle, name, text, Int32(values.count), nil) }
            if let evicted = statements.insert(text, name: name) { statements.markStale(evicted) }
        }
        return try await exchange(sqlText: text) {
            withCStringArray(values) { pointers in
                PQsendQueryPrepared(handle, name, Int32(pointers.count), pointers.baseAddress, nil, nil, 0)
            }
        }
    }

    /// Sends one command with `send` (a `PQsend…` call) in non-blocking mode, waits for the
    /// socket as long as libpq is busy, and returns the command's result (the first error, if any).
    private func exchange(sqlText: String, _ send: () -> Int32) async throws(PostgresError) -> PostgresResult {
        PQsetnonblocking(handle, 1)
        defer { PQsetnonblocking(handle, 0) }
        guard send() == 1 else { return try check(nil, sqlText: sqlText) }
        while true {
            let flushed = PQflush(handle)
            if flushed == 0 { break }
            if flushed < 0 { return try check(nil, sqlText: sqlText) }
            await PostgresEventLoop.wait(for: PQsocket(handle), writable: true)
        }
        var kept: OpaquePointer?
        while true {
            while PQisBusy(handle) == 1 {
                await PostgresEventLoop.wait(for: PQsocket(handle))
                if PQconsumeInput(handle) == 0 {
                    if let kept { PQclear(kept) }
                    return try check(nil, sqlText: sqlText)
                }
            }
            guard let next = PQgetResult(handle) else { break }
            if let previous = kept, Self.isError(previous) {
                PQclear(next)
            } else {
                if let previous = kept { PQclear(previous) }
                kept = next
            }
        }
        return try check(kept, sqlText: sqlText)
    }

    private static func isError(_ result: OpaquePointer) -> Bool {
        let status = PQresultStatus(result)
        return status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR
    }

    // MARK: Internals

    /// The binds as libpq's text parameters, once the connection is known to be usable.
    private func parameters(_ sql: SQL) throws(PostgresError) -> [String?] {
        try ensureUsable(sqlText: sql.text)
        let values = sql.binds.map(\.text)
        // Text-format parameters are C strings: a NUL byte would silently cut the value.
        if values.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError.queryFailed.with(detail: "a bound value contains a NUL byte", sqlText: sql.text)
        }
        return values
    }

    private func run(_ sql: SQL) throws(PostgresError) -> PostgresResult {
        let values = try parameters(sql)
        guard statements.capacity > 0, PreparedStatements.isPlannable(sql.text) else {
            let result = withCStringArray(values) { pointers in
                PQexecParams(handle, sql.text, Int32(pointers.count), nil, pointers.baseAddress, nil, nil, 0)
            }
            return try check(result, sqlText: sql.text)
        }
        do {
            return try runPrepared(sql.text, values)
        } catch  where error.invalidatesPreparedStatement {
            // DDL changed what the plan returns (`cached plan must not change result type`), or
            // the session lost the statement: prepare it afresh. Retried only outside a
            // transaction, where the failed attempt changed nothing; inside one, the error
            // stands (the transaction is aborted) and the next use prepares anew.
            statements.forget(sql.text)
            guard PQtransactionStatus(handle) == PQTRANS_IDLE else { throw error }
            closeStaleStatements()
            return try runPrepared(sql.text, values)
        }
    }

    private func runPrepared(_ text: String, _ values: [String?]) throws(PostgresError) -> PostgresResult {
        let name: String
        if let known = statements.name(for: text) {
            name = known
        } else {
            name = statements.newName()
            _ = try check(PQprepare(handle, name, text, Int32(values.count), nil), sqlText: text)
            if let evicted = statements.insert(text, name: name) { close(evicted) }
        }
        let result = withCStringArray(values) { pointers in
            PQexecPrepared(handle, name, Int32(pointers.count), pointers.baseAddress, nil, nil, 0)
        }
        return try check(result, sqlText: text)
    }

    /// `DEALLOCATE`s a statement the cache let go; if the session cannot run it now (an
    /// aborted transaction), it is closed after the lease.
    private func close(_ name: String) {
        guard !isBroken, PQtransactionStatus(handle) != PQTRANS_INERROR else {
            statements.markStale(name)
            return
        }
        let result = PQexec(handle, "DEALLOCATE \(name)")
        if PQresultStatus(result) != PGRES_COMMAND_OK, PQstatus(handle) == CONNECTION_BAD { isBroken = true }
        PQclear(result)
    }

    private func closeStaleStatements() {
        guard !statements.stale.isEmpty, !isBroken, PQtransactionStatus(handle) == PQTRANS_IDLE else { return }
        for name in statements.takeStale() { close(name) }
    }

    private func ensureUsable(sqlText: String) throws(PostgresError) {
        guard !isBroken else {
            throw PostgresError.connectionLost.with(detail: "the connection is already broken", sqlText: sqlText)
        }
    }

    /// The columns of `result`, shared with an earlier result of the same names and order.
    private func columns(of result: OpaquePointer) -> PostgresColumns? {
        guard PQnfields(result) > 0 else { return nil }
        if let known = recentColumns.first(where: { $0.match(result) }) { return known }
        let fresh = PostgresColumns(of: result)
        if recentColumns.count >= 16 { recentColumns.removeLast() }
        recentColumns.insert(fresh, at: 0)
        return fresh
    }

    /// Takes ownership of `raw` and turns every failure into a `PostgresError`.
    private func check(_ raw: OpaquePointer?, sqlText: String) throws(PostgresError) -> PostgresResult {
        let result = raw.map(PostgresResult.init)
        let status = raw.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_TUPLES_OK:
            if let result, let raw {
                result.columns = columns(of: raw)
                return result
            }
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
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

/// Calls `body` with an array of C strings (`nil` stays `NULL`), copied into one buffer
/// (on the stack when small) rather than one allocation per string.
private func withCStringArray<R>(_ strings: [String?], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    guard !strings.isEmpty else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
    var total = 0
    for string in strings { total += (string?.utf8.count ?? 0) + 1 }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: total) { bytes in
        withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: strings.count) { pointers in
            var offset = 0
            for (position, string) in strings.enumerated() {
                guard var string else {
                    pointers[position] = nil
                    continue
                }
                let start = bytes.baseAddress! + offset
                string.withUTF8 { utf8 in
                    if let source = utf8.baseAddress { memcpy(start, source, utf8.count) }
                    start[utf8.count] = 0
                    offset += utf8.count + 1
                }
                pointers[position] = UnsafePointer(start)
            }
            return body(UnsafeBufferPointer(pointers))
        }
    }
}
