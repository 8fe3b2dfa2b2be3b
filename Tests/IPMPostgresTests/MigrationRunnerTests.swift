import Foundation
import IPMMigrationKit
import IPMPostgres
import Testing

/// Each test gets its own database: they all write `ipm_schema_migrations`.
@Suite("MigrationRunner")
struct MigrationRunnerTests {
    private func freshClient() async throws -> PostgresClient {
        PostgresClient(configuration: try await ClientTestDatabase.create("migrations", maxConnections: 3), logger: ClientTestDatabase.logger)
    }

    private func runner(_ client: PostgresClient, _ migrations: [Migration]) -> MigrationRunner {
        MigrationRunner(client: client, migrations: migrations, logger: ClientTestDatabase.logger)
    }

    private func appliedVersions(_ client: PostgresClient) async throws -> [Int] {
        try await client.query("SELECT version FROM ipm_schema_migrations ORDER BY version").map { try $0.decode("version") }
    }

    private func tableExists(_ client: PostgresClient, _ name: String) async throws -> Bool {
        try await client.query("SELECT to_regclass(\(name)) IS NOT NULL AS present")[0].decode("present")
    }

    static let base = [
        Migration(version: 1, name: "create_companies", sql: "CREATE TABLE companies (id serial PRIMARY KEY, name text NOT NULL);"),
        Migration(version: 2, name: "seed_company", sql: "INSERT INTO companies (name) VALUES ('ACME');"),
        Migration(version: 3, name: "add_slug", sql: "ALTER TABLE companies ADD COLUMN slug text;\nUPDATE companies SET slug = lower(name);"),
    ]

    @Test func appliesInOrderAndSecondRunIsNoOp() async throws {
        let client = try await freshClient()
        let applied = try await runner(client, Self.base.reversed()).migrate()
        #expect(applied.map(\.version) == [1, 2, 3])
        #expect(try await appliedVersions(client) == [1, 2, 3])
        #expect(try await client.query("SELECT slug FROM companies")[0].decode("slug", as: String.self) == "acme")
        #expect(try await runner(client, Self.base).migrate().isEmpty)
        let status = try await runner(client, Self.base).status()
        #expect(status.count == 3)
        for entry in status {
            guard case .applied(let date) = entry.state else {
                Issue.record("\(entry.fileName) is \(entry.state), expected applied")
                continue
            }
            #expect(abs(date.timeIntervalSinceNow) < 300)
        }
        await client.close()
    }

    @Test func twoConcurrentRunnersApplyEachMigrationOnce() async throws {
        let configuration = try await ClientTestDatabase.create("migrations", maxConnections: 2)
        let migrations = [
            Migration(version: 1, name: "create_log", sql: "CREATE TABLE log (entry text); SELECT pg_sleep(0.3);"),
            Migration(version: 2, name: "write_log", sql: "INSERT INTO log VALUES ('once'); SELECT pg_sleep(0.3);"),
        ]
        let first = PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
        let second = PostgresClient(configuration: configuration, logger: ClientTestDatabase.logger)
        async let a = runner(first, migrations).migrate()
        async let b = runner(second, migrations).migrate()
        let (appliedA, appliedB) = try await (a, b)
        #expect((appliedA + appliedB).map(\.version).sorted() == [1, 2])
        #expect(appliedA.isEmpty || appliedB.isEmpty)
        #expect(try await first.query("SELECT count(*) AS n FROM log")[0].decode("n", as: Int.self) == 1)
        // The advisory lock was released: a third run gets it at once.
        #expect(try await runner(first, migrations).migrate().isEmpty)
        await first.close()
        await second.close()
    }

    @Test func editedAppliedMigrationIsRefusedAndNothingIsApplied() async throws {
        let client = try await freshClient()
        try await runner(client, Array(Self.base.prefix(2))).migrate()
        let edited = [
            Migration(version: 1, name: "create_companies", sql: "CREATE TABLE companies (id bigserial PRIMARY KEY, name text NOT NULL);"),
            Self.base[1], Self.base[2],
        ]
        let error = await #expect(throws: MigrationError.checksumMismatch) {
            try await runner(client, edited).migrate()
        }
        #expect(error?.fileName == "0001_create_companies.sql")
        #expect(
            error?.description
                == "migration 0001_create_companies.sql was edited after it was applied (checksum differs); restore it or add a new migration")
        #expect(try await appliedVersions(client) == [1, 2])
        #expect(
            try await client.query("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'companies' AND column_name = 'slug'")[0]
                .decode("n", as: Int.self) == 0)
        await client.close()
    }

    @Test func failingMigrationRollsBackAndStops() async throws {
        let client = try await freshClient()
        let migrations = [
            Self.base[0],
            Migration(version: 2, name: "broken", sql: "CREATE TABLE half_done (id int);\nSELECT no_such_function();"),
            Migration(version: 3, name: "after", sql: "CREATE TABLE after_broken (id int);"),
        ]
        let error = await #expect(throws: MigrationError.migrationFailed) {
            try await runner(client, migrations).migrate()
        }
        #expect(error?.fileName == "0002_broken.sql")
        #expect(error?.description.contains("0002_broken.sql") == true)
        #expect(error?.description.contains("no_such_function() does not exist") == true)
        #expect(try await appliedVersions(client) == [1])
        #expect(try await tableExists(client, "half_done") == false)
        #expect(try await tableExists(client, "after_broken") == false)
        // Fixed file, next run continues from there.
        let fixed = [migrations[0], Migration(version: 2, name: "broken", sql: "CREATE TABLE half_done (id int);"), migrations[2]]
        #expect(try await runner(client, fixed).migrate().map(\.version) == [2, 3])
        await client.close()
    }

    @Test func statusListsAppliedPendingModifiedAndUnknown() async throws {
        let client = try await freshClient()
        let fresh = try await runner(client, Self.base).status()
        #expect(fresh.map(\.state) == [.pending, .pending, .pending])

        let newer = Migration(version: 4, name: "from_the_future", sql: "SELECT 1;")
        try await runner(client, [Self.base[0], Self.base[1], newer]).migrate()

        let edited = Migration(version: 2, name: "seed_company", sql: "INSERT INTO companies (name) VALUES ('Other');")
        let current = runner(client, [Self.base[0], edited, Self.base[2]])
        let status = try await current.status()
        #expect(status.map(\.version) == [1, 2, 3, 4])
        #expect(status.map(\.name) == ["create_companies", "seed_company", "add_slug", "from_the_future"])
        if case .applied = status[0].state {} else { Issue.record("version 1 should be applied, is \(status[0].state)") }
        #expect(status[1].state == .modified)
        #expect(status[2].state == .pending)
        #expect(status[3].state == .unknown)

        await #expect(throws: MigrationError.checksumMismatch) { try await current.migrate() }
        let error = await #expect(throws: MigrationError.unknownVersions) {
            try await runner(client, Self.base).migrate()
        }
        #expect(error?.versions == [4])
        #expect(error?.description.contains("newer") == true)
        #expect(try await appliedVersions(client) == [1, 2, 4])
        await client.close()
    }

    @Test func embeddedMigrationsApplyToAnEmptyDatabase() async throws {
        let client = try await freshClient()
        let runner = MigrationRunner(client: client, logger: ClientTestDatabase.logger)
        let status = try await runner.status()
        #expect(status.allSatisfy { $0.state == .pending })
        let applied = try await runner.migrate()
        #expect(applied.count == status.count)
        #expect(try await runner.migrate().isEmpty)
        await client.close()
    }
}
