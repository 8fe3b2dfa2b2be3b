import Foundation
import Testing

@testable import IPMPostgres

/// Decision 81: tasks that prefer the client's event loops run there, and everything a task
/// may do on the cooperative pool still works from a loop — against a real server.
@Suite("PostgresClient's event loops")
struct ClientEventLoopTests {
    static let database = ClientSuiteDatabase("eventloop")

    @Test func tasksPreferringALoopRunOnItAndEachGetsItsOwnAnswers() async throws {
        let client = try await Self.database.client(maxConnections: 6)
        let executors = client.executors
        #expect(!executors.isEmpty && executors.count <= 4)
        let tasks = 12
        let statements = 150
        let misplaced = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask(executorPreference: executors[task % executors.count]) {
                    var offLoop = 0
                    for step in 0..<statements {
                        let value = task * 10_000 + step
                        let rows = try await client.query("SELECT \(value)::int8 * 2 AS doubled, pg_backend_pid() AS pid")
                        #expect(try rows.map { try $0.decode("doubled", as: Int.self) } == [value * 2])
                        // Resumed on the loop it prefers, not handed to a cooperative thread.
                        if PostgresEventLoop.current !== executors[task % executors.count] as? PostgresEventLoop { offLoop += 1 }
                    }
                    return offLoop
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(misplaced == 0)
        await client.close()
    }

    @Test func aTaskOnTheCooperativePoolIsNotMovedToALoop() async throws {
        let client = try await Self.database.client(maxConnections: 2)
        for _ in 0..<20 {
            try await client.query("SELECT 1")
            #expect(PostgresEventLoop.current == nil)
        }
        await client.close()
    }

    /// Loop tasks and pool tasks share a pool too small for them: leases handed over from
    /// one kind of task to the other (the remote path into a loop), blocking closures on the
    /// connections' queues, transactions and sleeps, all from a loop.
    @Test func loopAndPoolTasksShareASmallPool() async throws {
        let client = try await Self.database.client(maxConnections: 3)
        let table = "loop_\(UUID().uuidString.prefix(8).lowercased())"
        try await client.execute("CREATE TABLE \(identifier: table) (task int NOT NULL, step int NOT NULL)")
        let executors = client.executors
        let tasks = 8
        let steps = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                let executor = task.isMultiple(of: 2) ? executors[task % executors.count] : nil
                group.addTask(executorPreference: executor) {
                    for step in 0..<steps {
                        switch step % 4 {
                        case 0:
                            try await client.execute("INSERT INTO \(identifier: table) VALUES (\(task), \(step))")
                        case 1:
                            try await client.withTransaction { connection in
                                try connection.execute("INSERT INTO \(identifier: table) VALUES (\(task), \(step))")
                            }
                        case 2:
                            try await client.withConnection { connection in
                                try connection.execute("INSERT INTO \(identifier: table) VALUES (\(task), \(step))")
                            }
                            try await Task.sleep(for: .milliseconds(1))
                        default:
                            let rows = try await client.query(
                                "SELECT count(*) AS n FROM \(identifier: table) WHERE task = \(task)")
                            #expect(try rows.first?.decode("n", as: Int.self) == step)
                            try await client.execute("INSERT INTO \(identifier: table) VALUES (\(task), \(step))")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let rows = try await client.query("SELECT count(*) AS n, count(DISTINCT (task, step)) AS distinct_rows FROM \(identifier: table)")
        #expect(try rows.first?.decode("n", as: Int.self) == tasks * steps)
        #expect(try rows.first?.decode("distinct_rows", as: Int.self) == tasks * steps)
        await client.close()
    }

    @Test func aConnectionKilledUnderALoopTaskIsConnectionLostAndTheLoopGoesOn() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        let admin = try await Self.database.client(maxConnections: 1)
        let executor = client.executors[0]
        let pid = try await client.withConnection { $0.backendPID }
        let killer = Task { try await terminateOnceSleeping(pid, admin: admin) }
        let start = ContinuousClock.now
        try await withTaskExecutorPreference(executor) {
            await #expect(throws: PostgresError.connectionLost) {
                try await client.execute("SELECT pg_sleep(60)")
            }
            // The loop was not stuck on the dead socket: the next statement gets a new connection.
            let rows = try await client.query("SELECT pg_backend_pid() AS pid")
            #expect(try rows.first?.decode("pid", as: Int.self) != pid)
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        try await killer.value
        await client.close()
        await admin.close()
    }

    @Test func aCancelledLoopTaskWaitingForAConnectionLeaksNothing() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        let holder = try await holdOnlyConnection(of: client, seconds: 1)
        let waiting = Task(executorPreference: client.executors[0]) {
            try await client.query("SELECT 1")
        }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        _ = try await holder.value
        try await withTaskExecutorPreference(client.executors[0]) { try await client.query("SELECT 1") }
        await client.close()
    }

    /// A statement larger than the socket's buffers is sent in parts, the loop waiting for the
    /// socket to become writable in between; other tasks' round trips on the same loop go on.
    @Test func aStatementLargerThanTheSocketBufferIsSentInPartsWithoutStallingTheLoop() async throws {
        let client = try await Self.database.client(maxConnections: 3)
        let executor = client.executors[0]
        let large = String(repeating: "0123456789abcdef", count: 1 << 20)  // 16 MiB
        let small = Task(executorPreference: executor) { () async throws -> Int in
            var calls = 0
            for _ in 0..<200 {
                try await client.query("SELECT 1")
                calls += 1
            }
            return calls
        }
        for executor in [executor, nil] {
            let length = try await withTaskExecutorPreference(executor) {
                try await client.query("SELECT length(\(large)) AS n").first?.decode("n", as: Int.self)
            }
            #expect(length == large.utf8.count)
        }
        #expect(try await small.value == 200)
        await client.close()
    }
}
