import Dispatch
public import Logging
import Synchronization

/// A bounded pool of PostgreSQL connections.
///
/// Connections are opened lazily (at most `maxConnections`), reused, and checked before
/// each lease; waiters are served first come, first served, and give up after
/// `acquireTimeout`. Every lent closure runs on the connection's own serial dispatch queue,
/// so blocking libpq calls never occupy Swift concurrency's cooperative threads; a single
/// statement (`query`, `execute`) runs without blocking and without that hop (decision 70).
public final class PostgresClient: Sendable {
    let configuration: PostgresConfiguration
    let logger: Logger
    private let state = Mutex(PoolState())

    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Leasing

    /// Lends a connection to `body` (run on a dedicated thread) and takes it back afterwards,
    /// whatever happens. Errors from `body` are rethrown unchanged.
    public func withConnection<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> R) async throws -> R {
        let place = try await acquire()
        if Task.isCancelled {
            release(place, usable: true)
            throw CancellationError()
        }
        let configuration = configuration
        let logger = logger
        // `body` is escaping: the dispatch block that runs it may be released only after the
        // continuation resumes, which `withoutActuallyEscaping` would (rightly) trap on.
        let (result, usable) = await withCheckedContinuation { (continuation: CheckedContinuation<(Result<R, any Error>, Bool), Never>) in
            place.queue.async {
                let outcome = place.lend(configuration: configuration, logger: logger, body)
                continuation.resume(returning: (outcome.result, outcome.usable))
            }
        }
        release(place, usable: usable)
        return try result.get()
    }

    /// Runs `body` inside `BEGIN` … `COMMIT`; any error thrown by `body` rolls back and is
    /// rethrown unchanged.
    public func withTransaction<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> R) async throws -> R {
        try await withConnection { connection in
            try connection.executeScript("BEGIN")
            let value: R
            do {
                value = try body(connection)
            } catch {
                connection.rollbackQuietly()
                throw error
            }
            try connection.commit()
            return value
        }
    }

    /// Runs one statement and returns every row. No thread hop: the statement is sent from
    /// the calling task and its answer awaited on the socket (decision 70).
    @discardableResult
    public func query(_ sql: SQL) async throws -> [PostgresRow] {
        try await runSingle(sql).rows()
    }

    /// Runs one statement and returns the number of rows it affected (no thread hop).
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await runSingle(sql).affectedRows
    }

    /// One statement on a leased connection without blocking. A place with no live
    /// connection opens one on its queue first (connecting blocks); a connection left in a
    /// transaction or with statements to close is tidied there before it goes back.
    private func runSingle(_ sql: SQL) async throws -> PostgresResult {
        let place = try await acquire()
        if Task.isCancelled {
            release(place, usable: true)
            throw CancellationError()
        }
        var connection = place.connectionIfAlive()
        if connection == nil {
            let configuration = configuration
            let logger = logger
            let opened = await place.perform { () throws -> Bool in
                _ = try place.checkOut(configuration: configuration, logger: logger).get()
                return true
            }
            guard case .success = opened, let live = place.checkedOut else {
                release(place, usable: false)
                _ = try opened.get()
                throw PostgresError.connectionFailed
            }
            connection = live
        }
        let outcome: Result<PostgresResult, PostgresError>
        do {
            outcome = .success(try await connection!.runWithoutBlocking(sql))
        } catch {
            outcome = .failure(error)
        }
        let usable = connection!.needsReset ? ((try? await place.perform { place.settle() }.get()) ?? false) : true
        release(place, usable: usable)
        return try outcome.get()
    }

    /// The threads that wait on connections' sockets (decision 81), one per processor. A
    /// task that runs statement after statement (a worker, a benchmark's client) may prefer
    /// one — `withTaskExecutorPreference(client.executors[i % client.executors.count])` — and
    /// then runs on it: woken there when its answer arrives and reading it at once, with no
    /// hand-over to a cooperative thread. Work that blocks or computes for long does not
    /// belong there; every other task's round trips wait behind it.
    public var executors: [any TaskExecutor] { Self.loops }
    private static let loops: [any TaskExecutor] = PostgresEventLoop.all

    /// `SELECT 1` on a pooled connection, for readiness checks.
    public func ping() async throws {
        _ = try await withConnection { try $0.query("SELECT 1") }
    }

    /// Closes idle connections and fails waiting requests; connections in use are closed
    /// when they come back. Later calls throw `.poolClosed`.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.isClosed = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle = []
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError.poolClosed)
        }
        for place in idle {
            await place.close()
        }
    }

    // MARK: Pool state

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<PooledConnection, any Error>
    }

    private struct PoolState {
        /// Places holding an open connection, most recently used last.
        var idle: [PooledConnection] = []
        /// Places in existence: idle plus lent out.
        var open = 0
        var waiters: [Waiter] = []
        var nextID = 0
        var isClosed = false

        mutating func removeWaiter(_ id: Int) -> Waiter? {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
    }

    func acquire() async throws -> PooledConnection {
        // An idle connection and no one waiting: no continuation, no cancellation handler.
        let idle = state.withLock { state -> PooledConnection? in
            guard !state.isClosed, state.waiters.isEmpty, !Task.isCancelled else { return nil }
            return state.idle.popLast()
        }
        if let idle { return idle }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let maxConnections = configuration.maxConnections
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PooledConnection, any Error>) in
                let immediate: Result<PooledConnection, any Error>? = state.withLock { state in
                    if state.isClosed { return .failure(PostgresError.poolClosed) }
                    // Checked under the lock that the cancellation handler also takes.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let place = state.idle.popLast() { return .success(place) }
                    if state.open < maxConnections {
                        state.open += 1
                        return .success(PooledConnection(label: "ipm.postgres.connection.\(id)"))
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate {
                    continuation.resume(with: immediate)
                } else {
                    scheduleTimeout(for: id)
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.removeWaiter(id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func scheduleTimeout(for id: Int) {
        let timeout = configuration.acquireTimeout.components
        let nanoseconds = timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [weak self] in
            guard let self else { return }
            let waiter = self.state.withLock { $0.removeWaiter(id) }
            guard let waiter else { return }
            self.logger.warning(
                "no PostgreSQL connection became free in time",
                metadata: [
                    "postgres.max_connections": "\(self.configuration.maxConnections)"
                ])
            waiter.continuation.resume(throwing: PostgresError.poolTimeout)
        }
    }

    /// Hands the place to the longest waiter, or keeps it idle, or gives it up.
    func release(_ place: PooledConnection, usable: Bool) {
        enum Next {
            case handOver(Waiter)
            case keep, discard, close
        }
        let next: Next = state.withLock { state in
            if state.isClosed {
                state.open -= 1
                return .close
            }
            // A place whose connection broke still counts as capacity for a waiter: it
            // reconnects on the waiter's lease.
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst()) }
            if usable {
                state.idle.append(place)
                return .keep
            }
            state.open -= 1
            return .discard
        }
        switch next {
        case .handOver(let waiter):
            waiter.continuation.resume(returning: place)
        case .close:
            Task { await place.close() }
        case .keep, .discard:
            break
        }
    }
}
