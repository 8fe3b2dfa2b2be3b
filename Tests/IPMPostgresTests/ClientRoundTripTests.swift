import Foundation
import IPMPostgres
import Testing

@Suite("PostgresClient values, errors and transactions")
struct ClientRoundTripTests {
    static let database = ClientSuiteDatabase("roundtrip")

    struct Sample: Sendable, Equatable {
        var text: String
        var int: Int
        var int64: Int64
        var int32: Int32
        var int16: Int16
        var bool: Bool
        var double: Double
        var uuid: UUID
        var date: Date
        var bytes: [UInt8]
    }

    private func makeTable(_ client: PostgresClient) async throws -> String {
        let table = "samples_\(UUID().uuidString.prefix(8).lowercased())"
        try await client.execute(
            """
            CREATE TABLE \(identifier: table) (
                id serial PRIMARY KEY, t text, i int8, i64 int8, i32 int4, i16 int2,
                b bool, d float8, u uuid, ts timestamptz, bytes bytea)
            """)
        return table
    }

    @Test(arguments: [
        "plain",
        "'; DROP TABLE x; --",
        "Grüße, 世界 🚚 \"quoted\" \\ backslash",
        "",
    ])
    func everyTypeRoundTrips(text: String) async throws {
        let client = try await Self.database.client()
        let table = try await makeTable(client)
        let sample = Sample(
            text: text, int: Int.max, int64: Int64.min, int32: -2_000_000_000, int16: 32_000,
            bool: true, double: 3.141_592_653_589_793, uuid: UUID(),
            date: Date(timeIntervalSince1970: 1_795_662_900.123456),
            bytes: [0, 1, 0x7f, 0x80, 0xff, 0x27, 0x5c]
        )
        let inserted = try await client.execute(
            """
            INSERT INTO \(identifier: table) (t, i, i64, i32, i16, b, d, u, ts, bytes)
            VALUES (\(sample.text), \(sample.int), \(sample.int64), \(sample.int32), \(sample.int16),
                    \(sample.bool), \(sample.double), \(sample.uuid), \(sample.date), \(sample.bytes))
            """)
        #expect(inserted == 1)
        let rows = try await client.query("SELECT * FROM \(identifier: table) WHERE t = \(text)")
        let row = try #require(rows.first)
        let decoded = Sample(
            text: try row.decode("t"), int: try row.decode("i"), int64: try row.decode("i64"),
            int32: try row.decode("i32"), int16: try row.decode("i16"), bool: try row.decode("b"),
            double: try row.decode("d"), uuid: try row.decode("u"), date: try row.decode("ts"),
            bytes: try row.decode("bytes")
        )
        #expect(abs(decoded.date.timeIntervalSince(sample.date)) < 0.000_001)
        var comparable = decoded
        comparable.date = sample.date
        #expect(comparable == sample)
        // The hostile string was stored, not executed: the table is still there.
        let count = try await client.query("SELECT count(*) AS n FROM \(identifier: table)")
        #expect(try count.first?.decode("n", as: Int.self) == 1)
        await client.close()
    }

    @Test func nullsAndOptionals() async throws {
        let client = try await Self.database.client()
        let table = try await makeTable(client)
        let missingText: String? = nil
        let missingDate: Date? = nil
        let presentInt: Int? = 5
        try await client.execute("INSERT INTO \(identifier: table) (t, ts, i) VALUES (\(missingText), \(missingDate), \(presentInt))")
        let row = try #require(try await client.query("SELECT t, ts, i, b FROM \(identifier: table)").first)
        #expect(try row.decode("t", as: String?.self) == nil)
        #expect(try row.decode("ts", as: Date?.self) == nil)
        #expect(try row.decode("i", as: Int?.self) == 5)
        #expect(try row.isNull("b"))
        #expect(throws: PostgresError.decodingFailed) { try row.decode("t", as: String.self) }
        #expect(throws: PostgresError.decodingFailed) { try row.decode("no_such_column", as: String.self) }
        #expect(throws: PostgresError.decodingFailed) { try row.decode(9, as: String.self) }
        #expect(try row.decode(2, as: Int.self) == 5)
        await client.close()
    }

    @Test func wrongTypeIsADecodingError() async throws {
        let client = try await Self.database.client()
        let row = try #require(try await client.query("SELECT 'secret-token' AS v, 'NaN'::float8 AS f, now() AS now").first)
        let error = #expect(throws: PostgresError.decodingFailed) { try row.decode("v", as: Int.self) }
        #expect(error?.debugDescription.contains("secret-token") == false)
        #expect(try row.decode("f", as: Double.self).isNaN)
        let now = try row.decode("now", as: Date.self)
        #expect(abs(now.timeIntervalSinceNow) < 60)
        await client.close()
    }

    @Test func uniqueViolationCarriesSQLStateAndConstraint() async throws {
        let client = try await Self.database.client()
        let table = "admins_\(UUID().uuidString.prefix(8).lowercased())"
        let constraint = table + "_email_key"
        try await client.execute("CREATE TABLE \(identifier: table) (email text CONSTRAINT \(identifier: constraint) UNIQUE)")
        let email = "very-private@example.com"
        try await client.execute("INSERT INTO \(identifier: table) (email) VALUES (\(email))")
        let error = await #expect(throws: PostgresError.queryFailed) {
            try await client.execute("INSERT INTO \(identifier: table) (email) VALUES (\(email))")
        }
        #expect(error?.sqlState == "23505")
        #expect(error?.constraint == constraint)
        #expect(error?.serverMessage?.contains("duplicate key") == true)
        // Safe for end users: no SQL, no values. Details for logs: SQL, but no values.
        #expect(error?.description == "a database query failed")
        #expect(error?.description.contains("INSERT") == false)
        #expect(error?.description.contains(email) == false)
        #expect(error?.debugDescription.contains("INSERT INTO") == true)
        #expect(error?.debugDescription.contains(email) == false)
        await client.close()
    }

    @Test func syntaxErrorIsQueryFailed() async throws {
        let client = try await Self.database.client()
        let error = await #expect(throws: PostgresError.queryFailed) {
            try await client.query("SELEKT \("hidden-value")")
        }
        #expect(error?.sqlState == "42601")
        #expect(error?.description.contains("SELEKT") == false)
        #expect(error?.debugDescription.contains("hidden-value") == false)
        // The connection is still fine afterwards.
        try await client.ping()
        await client.close()
    }

    struct Boom: Error, Equatable { let code: Int }

    @Test func transactionCommitsOrRollsBack() async throws {
        let client = try await Self.database.client()
        let table = try await makeTable(client)
        _ = try await client.withTransaction { connection in
            try connection.execute("INSERT INTO \(identifier: table) (t) VALUES (\("kept"))")
        }
        // The body's own error comes back unchanged, and its insert is gone.
        await #expect(throws: Boom(code: 7)) {
            try await client.withTransaction { connection in
                try connection.execute("INSERT INTO \(identifier: table) (t) VALUES (\("discarded"))")
                throw Boom(code: 7)
            }
        }
        // A statement that failed inside the body aborts the transaction even if the body
        // swallowed the error: COMMIT must not report success.
        await #expect(throws: PostgresError.queryFailed) {
            try await client.withTransaction { connection in
                try connection.execute("INSERT INTO \(identifier: table) (t) VALUES (\("aborted"))")
                _ = try? connection.execute("SELECT 1/0")
            }
        }
        // A BEGIN left open by a plain lease is rolled back before the connection is reused.
        try await client.withConnection { connection in
            try connection.executeScript("BEGIN")
            try connection.execute("INSERT INTO \(identifier: table) (t) VALUES (\("left-open"))")
        }
        let rows = try await client.query("SELECT t FROM \(identifier: table) ORDER BY id")
        #expect(try rows.map { try $0.decode("t", as: String.self) } == ["kept"])
        await client.close()
    }

    /// A bound date from outside can be anything a Double holds: past an Int64 of
    /// microseconds it used to trap in the formatter. Now it is PostgreSQL's infinity, and
    /// a year too long to be PostgreSQL's is a decoding error, not an overflow.
    @Test func datesBeyondTheMicrosecondRangeBindAsInfinityAndHugeYearsDoNotDecode() async throws {
        let client = try await Self.database.client()
        for (date, expected) in [
            (Date(timeIntervalSince1970: 9_223_372_036_855), "infinity"), (Date(timeIntervalSince1970: 1e300), "infinity"),
            (Date(timeIntervalSince1970: -1e300), "-infinity"), (Date.distantFuture, "4001-01-01 00:00:00+00"),
        ] {
            let row = try #require(try await client.query("SELECT \(date)::timestamptz::text AS t").first)
            #expect(try row.decode("t", as: String.self) == expected)
        }
        let row = try #require(
            try await client.query("SELECT '294276-12-31 23:59:59+00'::timestamptz AS latest, 'infinity'::timestamptz AS never").first)
        #expect(try row.decode("latest", as: Date.self) > Date.distantFuture)
        #expect(throws: PostgresError.decodingFailed) { try row.decode("never", as: Date.self) }
        let huge = try #require(try await client.query("SELECT '9999999999999999-01-01 00:00:00+00'::text AS t").first)
        #expect(throws: PostgresError.decodingFailed) { try huge.decode("t", as: Date.self) }
        await client.close()
    }

    @Test func sessionRunsInUTCWithISODates() async throws {
        let client = try await Self.database.client()
        let row = try #require(
            try await client.query(
                "SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds, '2026-11-29 03:15:00.5+02'::timestamptz::text AS ts"
            ).first)
        #expect(try row.decode("tz", as: String.self) == "UTC")
        #expect(try row.decode("ds", as: String.self).hasPrefix("ISO"))
        #expect(try row.decode("ts", as: String.self) == "2026-11-29 01:15:00.5+00")
        await client.close()
    }

    @Test func executeReturnsAffectedRowsAndScriptsRunSeveralStatements() async throws {
        let client = try await Self.database.client()
        let table = try await makeTable(client)
        try await client.withConnection { connection in
            try connection.executeScript(
                """
                INSERT INTO \(table) (t) VALUES ('a');
                INSERT INTO \(table) (t) VALUES ('b');
                INSERT INTO \(table) (t) VALUES ('c');
                """)
        }
        #expect(try await client.execute("UPDATE \(identifier: table) SET i = \(1) WHERE t <> \("a")") == 2)
        #expect(try await client.execute("DELETE FROM \(identifier: table)") == 3)
        await client.close()
    }

    /// A connection reuses the column names of a result shaped like an earlier one: results
    /// with the same number of columns under other names, or the same names in another
    /// order, and more shapes than it remembers, each still decode by their own names.
    @Test func resultsOfManyShapesOnOneConnectionKeepTheirOwnColumnNames() async throws {
        let client = try await Self.database.client(maxConnections: 1)
        for round in 0..<3 {
            for shape in 0..<24 {
                let rows = try await client.query(
                    "SELECT \(shape)::int8 AS \(identifier: "c\(shape)"), \(round)::int8 AS round, \("x\(shape)") AS label")
                #expect(rows.first?.columnNames == ["c\(shape)", "round", "label"])
                #expect(try rows.first?.decode("c\(shape)", as: Int.self) == shape)
                #expect(try rows.first?.decode("label", as: String.self) == "x\(shape)")
                #expect(try rows.first?.decode("round", as: Int.self) == round)
            }
            let forward = try await client.query("SELECT 1::int8 AS a, 2::int8 AS b")
            let backward = try await client.query("SELECT 1::int8 AS b, 2::int8 AS a")
            #expect(try forward.first?.decode("a", as: Int.self) == 1)
            #expect(try backward.first?.decode("a", as: Int.self) == 2)
            let blocking = try await client.withConnection { try $0.query("SELECT 3::int8 AS b, 4::int8 AS a") }
            #expect(try blocking.first?.decode("a", as: Int.self) == 4)
        }
        await client.close()
    }
}
