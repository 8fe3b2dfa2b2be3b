import Foundation
import IPMPostgres
import Testing

/// Pure unit tests: no database needed.
@Suite("SQL interpolation and text codecs")
struct ClientSQLTests {
    @Test func interpolationTurnsEveryValueIntoABindParameter() {
        let id = 42
        let email = "a@example.com"
        let sql: SQL = "SELECT * FROM admins WHERE id = \(id) AND email = \(email) AND active = \(true)"
        #expect(sql.text == "SELECT * FROM admins WHERE id = $1 AND email = $2 AND active = $3")
        #expect(sql.binds == [PostgresBind(text: "42"), PostgresBind(text: "a@example.com"), PostgresBind(text: "true")])
    }

    @Test func nilOptionalBindsNull() {
        let missing: String? = nil
        let present: Int? = 7
        let sql: SQL = "UPDATE t SET a = \(missing), b = \(present)"
        #expect(sql.text == "UPDATE t SET a = $1, b = $2")
        #expect(sql.binds == [.null, PostgresBind(text: "7")])
    }

    @Test func literalWithoutInterpolationHasNoBinds() {
        let sql: SQL = "SELECT 1"
        #expect(sql.text == "SELECT 1")
        #expect(sql.binds.isEmpty)
    }

    @Test func identifiersAreQuotedAndEscaped() {
        let sql: SQL = "CREATE DATABASE \(identifier: #"we"ird"#)"
        #expect(sql.text == #"CREATE DATABASE "we""ird""#)
        #expect(sql.binds.isEmpty)
    }

    @Test func unescapedTextIsInsertedVerbatim() {
        let order = "DESC"
        let sql: SQL = "SELECT * FROM t ORDER BY id \(unescaped: order) LIMIT \(10)"
        #expect(sql.text == "SELECT * FROM t ORDER BY id DESC LIMIT $1")
    }

    @Test func aFragmentsPlaceholdersAreNumberedOnAfterTheEnclosingOnes() {
        let inner: SQL = "SELECT id FROM t WHERE a = \(1) AND b = \(2) LIMIT \(10)"
        let sql: SQL = "SELECT * FROM t WHERE c = \(3) AND id IN (\(inner)) AND d = \(4)"
        #expect(sql.text == "SELECT * FROM t WHERE c = $1 AND id IN (SELECT id FROM t WHERE a = $2 AND b = $3 LIMIT $4) AND d = $5")
        #expect(sql.binds == ["3", "1", "2", "10", "4"].map { PostgresBind(text: $0) })
        let trailing: SQL = "x = \(5)"
        #expect(("y = \(6) AND \(trailing)" as SQL).text == "y = $1 AND x = $2")
        let plain: SQL = "price > 0"
        #expect(("y = \(6) AND \(plain)" as SQL).text == "y = $1 AND price > 0")
    }

    @Test func injectionAttemptStaysAValue() {
        let hostile = "'; DROP TABLE x; --"
        let sql: SQL = "SELECT \(hostile)"
        #expect(sql.text == "SELECT $1")
        #expect(sql.binds == [PostgresBind(text: hostile)])
        #expect(!sql.description.contains("DROP"))
    }

    @Test func encodingsUsePostgresTextFormats() throws {
        #expect([UInt8]([0x0a, 0x1b, 0xff]).postgresBind.text == #"\x0a1bff"#)
        #expect(Double.infinity.postgresBind.text == "Infinity")
        #expect(Double.nan.postgresBind.text == "NaN")
        let uuid = try #require(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
        #expect(uuid.postgresBind.text == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        #expect(Date(timeIntervalSince1970: 1_795_662_900.123456).postgresBind.text == "2026-11-26T03:15:00.123456Z")
        #expect(Date(timeIntervalSince1970: -1.5).postgresBind.text == "1969-12-31T23:59:58.500000Z")
    }

    @Test func timestampsDecodeFromPostgresOutput() throws {
        let expected = Date(timeIntervalSince1970: 1_795_662_900)
        #expect(try Date(postgresText: "2026-11-26 03:15:00+00") == expected)
        #expect(try Date(postgresText: "2026-11-26 08:45:00+05:30") == expected)
        #expect(try Date(postgresText: "2026-11-25 22:15:00-05") == expected)
        #expect(try Date(postgresText: "2026-11-26T03:15:00Z") == expected)
        let fractional = try Date(postgresText: "2026-11-26 03:15:00.123456+00")
        #expect(abs(fractional.timeIntervalSince1970 - 1_795_662_900.123456) < 0.000_001)
        #expect(throws: PostgresError.decodingFailed) { try Date(postgresText: "infinity") }
        #expect(throws: PostgresError.decodingFailed) { try Date(postgresText: "2026-13-01 00:00:00+00") }
    }

    @Test func byteaDecodesHex() throws {
        #expect(try [UInt8](postgresText: #"\x0a1BfF"#) == [0x0a, 0x1b, 0xff])
        #expect(try [UInt8](postgresText: #"\x"#) == [])
        #expect(throws: PostgresError.decodingFailed) { try [UInt8](postgresText: #"\x0"#) }
        #expect(throws: PostgresError.decodingFailed) { try [UInt8](postgresText: "abc") }
    }

    @Test func errorsCompareByKind() {
        #expect(PostgresError.connectionLost == .connectionLost)
        #expect(PostgresError.connectionLost != .connectionFailed)
        #expect(PostgresError.poolTimeout.description == "the database is busy (no connection became free in time)")
    }

    @Test func malformedConnectionStringIsInvalidConfiguration() {
        let configurations = [
            "host=localhost port",
            "postgresql://ipm:secretpw@localhost/ipm?no_such_option=1",
            "nonsense",
        ]
        for string in configurations {
            let error = #expect(throws: PostgresError.invalidConfiguration) {
                try PostgresConfiguration(connectionString: string).validate()
            }
            #expect(error?.debugDescription.contains("secretpw") == false)
            #expect(error?.description == "the database configuration is invalid")
        }
        #expect(throws: Never.self) { try PostgresConfiguration(connectionString: "").validate() }
        #expect(throws: Never.self) {
            try PostgresConfiguration(connectionString: "postgresql://u:p@h1,h2/db?target_session_attrs=read-write").validate()
        }
        #expect(throws: PostgresError.invalidConfiguration) {
            try PostgresConfiguration(connectionString: "", maxConnections: 0).validate()
        }
    }

    @Test func configurationDescriptionHidesTheConnectionString() {
        let configuration = PostgresConfiguration(connectionString: "postgresql://ipm:secretpw@db/ipm")
        #expect(!"\(configuration)".contains("secretpw"))
    }
}
