import Foundation
import IPMPostgres
import Testing

/// Prepared statements per connection (decision 69) and single statements without a thread
/// hop (decision 70), against the real server.
@Suite("PostgresClient prepared statements and non-blocking statements")
struct ClientPreparedStatementTests {
    static let database = ClientSuiteDatabase("prepared")

    private func client(capacity: Int = 256) async throws -> PostgresClient {
        var configuration = try await Self.database.configuration(maxConnections: 1)
        configuration.preparedStatementCapacity = capacity
        return PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
    }

    /// How many statements the session of the pool's one connection holds with this text.
    private func preparedCount(_ client: PostgresClient, text: String) async throws -> Int {
        try await client.query("SELECT count(*)::bigint AS n FROM pg_prepared_statements WHERE statement = \(text)")[0]
            .decode("n", as: Int.self)
    }

    @Test func aStatementIsPreparedOncePerConnectionAndRunByName() async throws {
        let client = try await client()
        let sql: SQL = "SELECT \(41)::int + 1 AS n, \("x") AS s"
        for value in [1, 2, 3] {
            let rows = try await client.query("SELECT \(value)::int + 1 AS n, \("x") AS s")
            #expect(try rows[0].decode("n", as: Int.self) == value + 1)
        }
        // Through a lent closure (blocking path) too: the same session, the same statement.
        let viaClosure = try await client.withConnection { try $0.query("SELECT \(10)::int + 1 AS n, \("x") AS s") }
        #expect(try viaClosure[0].decode("n", as: Int.self) == 11)
        #expect(try await preparedCount(client, text: sql.text) == 1)
        await client.close()
    }

    @Test func capacityZeroPreparesNothing() async throws {
        let client = try await client(capacity: 0)
        let sql: SQL = "SELECT \(7)::int AS n"
        #expect(try await client.query(sql)[0].decode("n", as: Int.self) == 7)
        #expect(try await client.query("SELECT count(*)::bigint AS n FROM pg_prepared_statements")[0].decode("n", as: Int.self) == 0)
        await client.close()
    }

    @Test func theCacheIsBoundedLeastRecentlyUsedFirst() async throws {
        let client = try await client(capacity: 3)
        for round in 0..<2 {
            for number in 0..<8 {
                let rows = try await client.query("SELECT \(unescaped: String(number)) + \(round)::int AS n")
                #expect(try rows[0].decode("n", as: Int.self) == number + round)
            }
        }
        // Evicted statements are closed on the server once the session is idle again.
        let counts = try await client.withConnection { connection in
            (connection.preparedStatementCount, try connection.query("SELECT count(*)::bigint AS n FROM pg_prepared_statements"))
        }
        #expect(counts.0 <= 3)
        #expect(try counts.1[0].decode("n", as: Int.self) <= 3)
        await client.close()
    }

    @Test func utilityStatementsAreNotPrepared() async throws {
        let client = try await client()
        try await client.execute("SET application_name = 'ipm_prepared_test'")
        _ = try await client.withConnection { try $0.execute("SET statement_timeout = '5s'") }
        let rows = try await client.query("SELECT count(*)::bigint AS n FROM pg_prepared_statements WHERE statement LIKE 'SET %'")
        #expect(try rows[0].decode("n", as: Int.self) == 0)
        await client.close()
    }

    /// What is prepared is told by the statement's first keyword, whatever its case and the
    /// blanks before it, or by an opening parenthesis.
    @Test func plannableStatementsArePreparedWhateverTheirCaseAndLeadingBlanks() async throws {
        let client = try await client()
        let plannable = [
            "  \n\tselect 11 AS a", "(SELECT 12 AS a)", "With t AS (SELECT 13 AS a) SELECT a FROM t", "VALUES (14)", "\r\nvalues (17)",
        ]
        let utility = ["SHOW search_path", "EXPLAIN SELECT 15", "selectinto_is_not_a_keyword", "SELECTED 16"]
        for text in plannable + utility {
            _ = try? await client.query(SQL(unsafeText: text))
        }
        let rows = try await client.query("SELECT statement FROM pg_prepared_statements")
        let prepared = Set(try rows.map { try $0.decode("statement", as: String.self) })
        for text in plannable {
            #expect(prepared.contains(text), "\(text) was not prepared")
        }
        for text in utility {
            #expect(!prepared.contains(text), "\(text) was prepared")
        }
        await client.close()
    }

    @Test func aTableChangeThatAltersTheResultIsPreparedAgain() async throws {
        let client = try await client()
        let table = "prepared_\(UUID().uuidString.prefix(8).lowercased())"
        try await client.execute("CREATE TABLE \(identifier: table) (a int)")
        try await client.execute("INSERT INTO \(identifier: table) (a) VALUES (1)")
        let select: SQL = "SELECT * FROM \(identifier: table) WHERE a = \(1)"
        _ = try await client.query(select)
        _ = try await client.withConnection { try $0.query(select) }
        try await client.execute("ALTER TABLE \(identifier: table) ADD COLUMN b text DEFAULT 'added'")
        // Outside a transaction: prepared again, answered with the new column.
        let rows = try await client.query(select)
        #expect(try rows[0].decode("b", as: String.self) == "added")

        try await client.execute("ALTER TABLE \(identifier: table) ADD COLUMN c int DEFAULT 3")
        let blocking = try await client.withConnection { try $0.query(select) }
        #expect(try blocking[0].decode("c", as: Int.self) == 3)

        // Inside a transaction the server has aborted it: the error stands, the next use prepares anew.
        try await client.execute("ALTER TABLE \(identifier: table) ADD COLUMN d int DEFAULT 4")
        let error = await #expect(throws: PostgresError.queryFailed) {
            try await client.withTransaction { try $0.query(select) }
        }
        #expect(error?.sqlState == "0A000")
        let after = try await client.query(select)
        #expect(try after[0].decode("d", as: Int.self) == 4)
        await client.close()
    }

    @Test func aStatementLostByTheSessionIsPreparedAgain() async throws {
        let client = try await client()
        let sql: SQL = "SELECT \(5)::int * 2 AS n"
        _ = try await client.query(sql)
        try await client.execute("DEALLOCATE ALL")
        #expect(try await client.query(sql)[0].decode("n", as: Int.self) == 10)
        await client.close()
    }

    @Test func concurrentStatementsEachGetTheirOwnAnswer() async throws {
        var configuration = try await Self.database.configuration(maxConnections: 8)
        configuration.preparedStatementCapacity = 16
        let client = PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<32 {
                group.addTask {
                    var wrong = 0
                    for call in 0..<50 {
                        let value = task * 1000 + call
                        // Alternating texts, a long value now and then, a NULL now and then.
                        let rows =
                            call % 2 == 0
                            ? try await client.query("SELECT \(value)::int AS n, \(String(repeating: "p", count: call * 40)) AS pad")
                            : try await client.query("SELECT \(value)::int AS n, \(call % 3 == 0 ? nil : "v") AS pad")
                        if try rows[0].decode("n", as: Int.self) != value { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrong == 0)
        await client.close()
    }

    @Test func aStatementLeavingATransactionOpenIsRolledBackBeforeTheNextLease() async throws {
        let client = try await client()
        try await client.execute("BEGIN")
        try await Task.sleep(for: .milliseconds(300))
        // Still inside that transaction, now() would be the BEGIN's time, 300 ms ago.
        let rows = try await client.query("SELECT now() > statement_timestamp() - interval '150 milliseconds' AS fresh")
        #expect(try rows[0].decode("fresh", as: Bool.self))
        await client.close()
    }
}
