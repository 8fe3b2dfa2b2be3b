import Dispatch
import Logging

/// One place in the pool: a serial dispatch queue (its own thread while it works, never a
/// cooperative one) and the connection that lives on it, opened lazily and replaced when
/// it breaks. Blocking work on the connection runs on `queue`; a single statement may also be
/// run without blocking by the lease's holder (decision 70). Only the lease's holder touches
/// the connection, and leases are handed over under the pool's lock, hence `@unchecked Sendable`.
final class PooledConnection: @unchecked Sendable {
    let queue: DispatchQueue
    private var connection: PostgresConnection?

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` with a live connection. Call on `queue` only.
    /// - Returns: the body's result, and whether this place still holds a usable connection.
    func lend<R>(
        configuration: PostgresConfiguration,
        logger: Logger,
        _ body: (PostgresConnection) throws -> R
    ) -> (result: Result<R, any Error>, usable: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        let connection: PostgresConnection
        do {
            connection = try liveConnection(configuration: configuration, logger: logger)
        } catch {
            return (.failure(error), false)
        }
        let result = Result { try body(connection) }
        connection.resetAfterLease()
        if connection.isBroken {
            self.connection = nil
            return (result, false)
        }
        return (result, true)
    }

    /// Hands out a live connection for a lease that spans several blocks on `queue` (a long
    /// transaction). Call on `queue` only; end the lease with `settle`.
    func checkOut(configuration: PostgresConfiguration, logger: Logger) -> Result<PostgresConnection, PostgresError> {
        dispatchPrecondition(condition: .onQueue(queue))
        do throws(PostgresError) {
            return .success(try liveConnection(configuration: configuration, logger: logger))
        } catch {
            return .failure(error)
        }
    }

    /// Ends a lease taken with `checkOut`: nothing may stay open. Call on `queue` only.
    /// - Returns: whether this place still holds a usable connection.
    func settle() -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let connection else { return false }
        connection.resetAfterLease()
        if connection.isBroken {
            self.connection = nil
            return false
        }
        return true
    }

    /// The connection, if it is open and survived its idle time, for a statement run without
    /// blocking (decision 70). Only for the holder of the lease: the pool's lock orders every
    /// holder's use after the previous one's. Never blocks; `nil` means "check out on `queue`".
    func connectionIfAlive() -> PostgresConnection? {
        guard let connection, connection.checkAlive() else { return nil }
        return connection
    }

    /// The connection after a `checkOut` on `queue` succeeded (for the lease's holder).
    var checkedOut: PostgresConnection? { connection }

    /// Closes the connection (on `queue`, where libpq may block).
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }

    /// The pooled connection if it survived its idle time, else a new one.
    private func liveConnection(configuration: PostgresConfiguration, logger: Logger) throws(PostgresError) -> PostgresConnection {
        if let connection {
            if connection.checkAlive() { return connection }
            logger.info("discarding a pooled PostgreSQL connection that broke while idle")
            self.connection = nil
        }
        let fresh = try PostgresConnection.connect(configuration: configuration, logger: logger)
        connection = fresh
        return fresh
    }
}
