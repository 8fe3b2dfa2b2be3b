import ArgumentParser
import Foundation
import Glibc
import IPMDomain
import IPMPostgres
import Logging
import Synchronization

/// `ipm-bench roundtrip`: one statement, as fast as N clients can run it through
/// `PostgresClient.query` for a fixed time — the libpq layer's cost per round trip, to be put
/// next to `pgbench -M prepared` with the same clients (bench/postgres-roundtrip.sh).
struct RoundtripCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip",
        abstract: "Run SELECT 1 or the token route's snapshot SELECT through PostgresClient with N clients for a fixed time."
    )

    enum Statement: String, ExpressibleByArgument, CaseIterable, Sendable {
        case select1, snapshot
    }

    /// `loop`: `PostgresClient.query` from client tasks that prefer the client's event loops
    /// (client i on loop i mod n, decision 81): sent, awaited and read on the loop's thread;
    /// `direct`: the same from tasks on the cooperative pool, woken by a loop (decision 70);
    /// `queue`: the statement in `withConnection`, on the connection's own thread (one hop
    /// there and back per statement, the design before decision 70).
    enum Path: String, ExpressibleByArgument, CaseIterable, Sendable {
        case loop, direct, queue
    }

    @Option(help: "select1 or snapshot (PostgresUPSConnectionRepository.snapshotQuery).")
    var statement: Statement = .select1
    @Option(help: "Concurrent clients; the pool opens as many connections.")
    var clients = 32
    @Option(help: "Seconds of measurement (after one warm-up call per client).")
    var duration = 10.0
    @Option(help: "Company ids, one per line (snapshot only); each call reads the next one.")
    var idsFile: String?
    @Option(
        help:
            "loop (PostgresClient.query from tasks on the client's event loops), direct (the same from the cooperative pool) or queue (withConnection, on the connection's thread)."
    )
    var path: Path = .loop
    @Option(help: "Statements each connection keeps prepared (0: every statement unprepared).")
    var preparedStatements = 256
    @Flag(help: "Print the statement's SQL text (with $1) and exit.")
    var printSQL = false

    func validate() throws {
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        guard preparedStatements >= 0 else { throw ValidationError("--prepared-statements must not be negative") }
        if statement == .snapshot && idsFile == nil && !printSQL { throw ValidationError("snapshot needs --ids-file") }
    }

    func run() async throws {
        if printSQL {
            print(Self.sql(statement, company: CompanyID(UUID())).text)
            return
        }
        guard let url = ProcessInfo.processInfo.environment["IPM_DATABASE_URL"], !url.isEmpty else {
            throw BenchFailure("ipm-bench roundtrip needs IPM_DATABASE_URL")
        }
        let ids = try idsFile.map(Self.readIDs) ?? [CompanyID(UUID())]
        var logger = Logger(label: "ipm-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        var configuration = PostgresConfiguration(connectionString: url, maxConnections: clients)
        configuration.acquireTimeout = .seconds(30)
        configuration.preparedStatementCapacity = preparedStatements
        let client = PostgresClient(configuration: configuration, logger: logger)
        defer { Task { [client] in await client.close() } }
        let figures = try await measure(client, ids: ids)
        await client.close()
        print(
            "BENCH statement=\(statement.rawValue) path=\(path.rawValue) clients=\(clients) prepared=\(preparedStatements) calls=\(figures.calls)"
                + " tps=\(Figures.rate(figures.tps)) p50_us=\(figures.p50) p99_us=\(figures.p99)"
                + " cpu_us_per_call=\(Figures.rate(figures.cpuPerCall)) switches_per_call=\(Figures.ratio(figures.switchesPerCall)) errors=0"
        )
    }

    static func sql(_ statement: Statement, company: CompanyID) -> SQL {
        switch statement {
        case .select1: "SELECT 1"
        case .snapshot: PostgresUPSConnectionRepository.snapshotQuery(of: company)
        }
    }

    private static func readIDs(_ path: String) throws -> [CompanyID] {
        let ids = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map { line in
            guard let uuid = UUID(uuidString: String(line)) else { throw BenchFailure("\(path): not a company id: \(line)") }
            return CompanyID(uuid)
        }
        guard !ids.isEmpty else { throw BenchFailure("\(path) holds no company ids") }
        return ids
    }

    private struct Result {
        let calls: Int
        let tps: Double
        let p50: Int
        let p99: Int
        /// This process's CPU time (user + system) per call while measuring, in microseconds.
        let cpuPerCall: Double
        /// This process's context switches (voluntary + involuntary, every thread) per call.
        let switchesPerCall: Double
    }

    /// Every client warms up (its connection opens, its statement is prepared), then all run
    /// until the deadline; latencies in microseconds, merged at the end.
    private func measure(_ client: PostgresClient, ids: [CompanyID]) async throws -> Result {
        let statement = statement
        let path = path
        let clients = clients
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<clients {
                group.addTask { try await Self.call(client, path, statement, ids[index % ids.count]) }
            }
            try await group.waitForAll()
        }
        let span = Duration.nanoseconds(Int64(duration * 1e9))
        let before = ProcessCPU().read()
        let start = ContinuousClock.now
        let deadline = start + span
        let latencies = try await withThrowingTaskGroup(of: [Int].self) { group in
            for index in 0..<clients {
                let executor = path == .loop ? client.executors[index % client.executors.count] : nil
                group.addTask(executorPreference: executor) {
                    var mine: [Int] = []
                    mine.reserveCapacity(100_000)
                    var next = index
                    while true {
                        let before = ContinuousClock.now
                        if before >= deadline { return mine }
                        try await Self.call(client, path, statement, ids[next % ids.count])
                        let elapsed = ContinuousClock.now - before
                        mine.append(Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
                        next += clients
                    }
                }
            }
            var all: [Int] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - start
        let after = ProcessCPU().read()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard !latencies.isEmpty else { throw BenchFailure("no call completed in \(duration) s") }
        let sorted = latencies.sorted()
        return Result(
            calls: sorted.count, tps: Double(sorted.count) / seconds,
            p50: sorted[(sorted.count - 1) / 2], p99: sorted[min(sorted.count - 1, (sorted.count * 99 + 99) / 100 - 1)],
            cpuPerCall: (after.own - before.own) / Double(sorted.count),
            switchesPerCall: (after.switches - before.switches) / Double(sorted.count)
        )
    }

    private static func call(_ client: PostgresClient, _ path: Path, _ statement: Statement, _ company: CompanyID) async throws {
        let sql = sql(statement, company: company)
        let rows =
            switch path {
            case .loop, .direct: try await client.query(sql)
            case .queue: try await client.withConnection { try $0.query(sql) }
            }
        guard rows.count == 1 else { throw BenchFailure("\(statement.rawValue) returned \(rows.count) rows, not 1") }
    }
}
