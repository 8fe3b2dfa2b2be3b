import Dispatch
import Logging

/// A transaction that stays open across `await`s — for work that must hold a row lock while
/// it waits on something else (the UPS refresh call). `query`/`execute` send each statement
/// from the calling task without blocking (decision 70); `run` lends the connection to a
/// synchronous closure on its own serial queue, never on a cooperative thread.
///
/// Lent by `PostgresClient.withLongTransaction`; do not keep it beyond that call.
public struct PostgresTransaction: Sendable {
    fileprivate let place: PooledConnection
    fileprivate let connection: ConnectionHandle

    /// Runs `body` with the transaction's connection, on its queue.
    public func run<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> R) async throws -> R {
        let connection = self.connection
        return try await place.perform { try body(connection.value) }.get()
    }

    /// One statement, sent from the calling task without a thread hop (decision 70).
    @discardableResult
    public func query(_ sql: SQL) async throws -> [PostgresRow] {
        try await connection.value.runWithoutBlocking(sql).rows()
    }

    /// One statement, sent from the calling task without a thread hop (decision 70).
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await connection.value.runWithoutBlocking(sql).affectedRows
    }
}

/// A place's connection, passed between blocks of that place's queue and the lease's holder.
final class ConnectionHandle: @unchecked Sendable {
    let value: PostgresConnection
    init(_ value: PostgresConnection) { self.value = value }
}

extension PooledConnection {
    /// Runs `work` on this place's queue.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { try work() }) }
        }
    }
}

extension PostgresClient {
    /// Runs `body` inside `BEGIN` … `COMMIT` on one connection that stays lent for the whole
    /// call, even while `body` awaits other work. Any error thrown by `body` rolls back and is
    /// rethrown unchanged. Keep such transactions short: the connection (and every row lock
    /// taken) is held throughout.
    public func withLongTransaction<R: Sendable>(_ body: (PostgresTransaction) async throws -> R) async throws -> R {
        let place = try await acquire()
        let configuration = configuration
        let logger = logger
        let begun = await place.perform { () throws -> ConnectionHandle in
            let connection = try place.checkOut(configuration: configuration, logger: logger).get()
            try connection.executeScript("BEGIN")
            return ConnectionHandle(connection)
        }
        let handle: ConnectionHandle
        do {
            handle = try begun.get()
        } catch {
            release(place, usable: (try? await place.perform { place.settle() }.get()) ?? false)
            throw error
        }
        let transaction = PostgresTransaction(place: place, connection: handle)
        let value: R
        do {
            value = try await body(transaction)
        } catch {
            let usable =
                (try? await place.perform { () -> Bool in
                    handle.value.rollbackQuietly()
                    return place.settle()
                }.get()) ?? false
            release(place, usable: usable)
            throw error
        }
        // COMMIT and the tidying for the next lease in one block on the queue (one hop, not two).
        let (committed, usable) = try await place.perform { () -> (Result<Void, any Error>, Bool) in
            let committed = Result { try handle.value.commit() }
            return (committed, place.settle())
        }.get()
        release(place, usable: usable)
        try committed.get()
        return value
    }
}
