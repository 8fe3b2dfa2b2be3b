import Foundation
import IPMPostgres
import Synchronization
import Testing

@Suite("PostgresClient pool")
struct ClientPoolTests {
    static let database = ClientSuiteDatabase("pool")

    @Test func poolNeverOpensMoreThanMaxConnections() async throws {
        var configuration = try await Self.database.configuration(maxConnections: 2)
        let applicationName = "ipm_pool_\(UUID().uuidString.prefix(8).lowercased())"
        configuration.applicationName = applicationName
        let client = PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
        let monitor = try await Self.database.client(maxConnections: 1)

        let start = ContinuousClock.now
        let observed = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await client.execute("SELECT pg_sleep(0.2)")
                    return -1
                }
            }
            group.addTask {
                var most = 0
                while ContinuousClock.now - start < .milliseconds(1200) {
                    let rows = try await monitor.query(
                        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = \(applicationName)"
                    )
                    most = max(most, try rows[0].decode("n", as: Int.self))
                    try await Task.sleep(for: .milliseconds(20))
                }
                return most
            }
            var most = 0
            for try await value in group { most = max(most, value) }
            return most
        }
        let elapsed = ContinuousClock.now - start
        #expect(observed >= 1)
        #expect(observed <= 2)
        // Ten 0.2 s queries through two connections take at least five rounds.
        #expect(elapsed >= .milliseconds(1000))
        await client.close()
        await monitor.close()
    }

    @Test func acquireTimeoutWhenAllConnectionsAreBusy() async throws {
        var configuration = try await Self.database.configuration(maxConnections: 1)
        configuration.acquireTimeout = .milliseconds(300)
        let client = PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
        let holder = Task { try await client.execute("SELECT pg_sleep(1.5)") }
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        await #expect(throws: PostgresError.poolTimeout) { try await client.ping() }
        #expect(ContinuousClock.now - start < .seconds(5))
        _ = try await holder.value
        try await client.ping()
        await client.close()
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        let order = ArrivalLog()
        let holder = Task { try await client.execute("SELECT pg_sleep(0.3)") }
        try await Task.sleep(for: .milliseconds(100))
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<5 {
            waiters.append(
                Task {
                    try await client.withConnection { _ in order.append(index) }
                })
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = try await holder.value
        for waiter in waiters { try await waiter.value }
        #expect(order.entries == [0, 1, 2, 3, 4])
        await client.close()
    }

    struct Boom: Error {}

    final class ArrivalLog: Sendable {
        private let storage = Mutex<[Int]>([])
        func append(_ value: Int) { storage.withLock { $0.append(value) } }
        var entries: [Int] { storage.withLock { $0 } }
    }

    @Test func throwingBodiesAndCancelledWaitersLeakNoConnection() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        for _ in 0..<5 {
            await #expect(throws: Boom.self) {
                try await client.withConnection { _ in throw Boom() }
            }
        }
        try await client.ping()

        let holder = try await holdOnlyConnection(of: client, seconds: 1)
        // Queued or not yet queued when cancelled, the waiter must end with CancellationError.
        let waiter = Task { try await client.query("SELECT 1") }
        try await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        _ = try await holder.value

        // The single connection is still available, promptly, several times over.
        let start = ContinuousClock.now
        for _ in 0..<3 { try await client.ping() }
        #expect(ContinuousClock.now - start < .seconds(10))
        await client.close()
    }

    @Test func connectionsAreReused() async throws {
        let client = try await Self.database.client(maxConnections: 3)
        var pids: Set<Int> = []
        for _ in 0..<10 {
            pids.insert(try await client.withConnection { $0.backendPID })
        }
        #expect(pids.count == 1)
        await client.close()
    }

    @Test func closeFailsWaitersAndLaterCalls() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        // Held long enough that close() comes first even when the 100 ms below take much longer.
        let holder = try await holdOnlyConnection(of: client, seconds: 3)
        // Whether the waiter queues before close() or arrives after it, it must get poolClosed.
        let waiter = Task { try await client.ping() }
        try await Task.sleep(for: .milliseconds(100))
        await client.close()
        await #expect(throws: PostgresError.poolClosed) { try await waiter.value }
        _ = try await holder.value
        await #expect(throws: PostgresError.poolClosed) { try await client.ping() }
    }

    @Test func unreachableServerFailsQuickly() async throws {
        // Nothing listens on port 1; connection refused comes back at once.
        let client = PostgresClient(
            configuration: PostgresConfiguration(connectionString: "host=127.0.0.1 port=1 dbname=ipm user=ipm connect_timeout=2"),
            logger: ClientTestDatabase.logger
        )
        let start = ContinuousClock.now
        let error = await #expect(throws: PostgresError.connectionFailed) { try await client.ping() }
        // It must fail, not hang: the bound is loose because 2 shared cores under a full
        // parallel suite have delayed even an immediate refusal by seconds.
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(error?.description == "the database is unreachable")
        await client.close()
    }

    @Test func malformedConnectionStringFailsRequests() async throws {
        let client = PostgresClient(
            configuration: PostgresConfiguration(connectionString: "postgresql://ipm:secretpw@localhost/ipm?bogus=1"),
            logger: ClientTestDatabase.logger
        )
        let error = await #expect(throws: PostgresError.invalidConfiguration) { try await client.ping() }
        #expect(error?.debugDescription.contains("secretpw") == false)
        await client.close()
    }

    @Test func idleConnectionKilledByTheServerIsReplaced() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        let admin = try await Self.database.client(maxConnections: 1)
        let firstPID = try await client.withConnection { $0.backendPID }
        try await admin.query("SELECT pg_terminate_backend(\(firstPID))")
        try await Task.sleep(for: .milliseconds(200))
        // The dead idle connection is noticed before lending and replaced: no error at all.
        let secondPID = try await client.withConnection { $0.backendPID }
        #expect(secondPID != firstPID)
        await client.close()
        await admin.close()
    }

    @Test func connectionKilledMidQueryIsConnectionLostAndReplaced() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        let admin = try await Self.database.client(maxConnections: 1)
        let pid = try await client.withConnection { $0.backendPID }
        let killer = Task { try await terminateOnceSleeping(pid, admin: admin) }
        let start = ContinuousClock.now
        await #expect(throws: PostgresError.connectionLost) {
            try await client.execute("SELECT pg_sleep(60)")
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        try await killer.value
        try await client.ping()
        #expect(try await client.withConnection { $0.backendPID } != pid)
        await client.close()
        await admin.close()
    }
}

/// Terminates backend `pid` once it is running a `pg_sleep` — not before (a loaded machine may
/// start the statement late; killed while idle, the connection would just be replaced).
func terminateOnceSleeping(_ pid: Int, admin: PostgresClient) async throws {
    while try await admin.query(
        "SELECT 1 FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active' AND query LIKE '%pg_sleep%'"
    ).isEmpty {
        try await Task.sleep(for: .milliseconds(20))
    }
    try await admin.query("SELECT pg_terminate_backend(\(pid))")
}

/// Lends the pool's only connection to a `pg_sleep` and returns once it is really held,
/// however slow the machine is.
func holdOnlyConnection(of client: PostgresClient, seconds: Double) async throws -> Task<Int, any Error> {
    let holding = HoldingFlag()
    let holder = Task {
        try await client.withConnection { connection in
            holding.set()
            return try connection.execute("SELECT pg_sleep(\(seconds))")
        }
    }
    while !holding.isSet { try await Task.sleep(for: .milliseconds(10)) }
    return holder
}

/// Set once from the thread that holds the connection, read from the test.
final class HoldingFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
