public import IPMPostgres
import Logging

/// A fresh, uniquely named database on the test server (`ipm_test_<random>`), so suites
/// run in parallel without seeing each other's rows.
public struct TestDatabase: Sendable {
    /// `ipm_test_<random>`.
    public let name: String
    /// Connects to this database (the server's connection string with `dbname` replaced).
    public let connectionString: String
    /// A pool on this database; `drop()` closes it.
    public let client: PostgresClient
    private let serverConnectionString: String

    /// Creates the database and, when `migrated`, gives it every embedded migration: a copy
    /// of a template migrated once per test process (`CREATE DATABASE … TEMPLATE`), not a
    /// migration run per test. At most a few databases are created at once, so a suite
    /// starting hundreds of tests on two cores does not time out its own connections.
    public static func fresh(migrated: Bool = true) async throws -> TestDatabase {
        let server = try await TestPostgres.serverConnectionString()
        let name = "ipm_test_" + String(UInt64.random(in: .min ... .max), radix: 36)
        let template = migrated ? try await MigratedTemplate.name(server: server) : nil
        try await creations.run {
            try await withAdminClient(server) { admin in
                if let template {
                    try await admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: template)")
                } else {
                    try await admin.execute("CREATE DATABASE \(identifier: name)")
                }
            }
        }
        let connectionString = Self.connectionString(server, database: name)
        let client = PostgresClient(
            configuration: PostgresConfiguration(connectionString: connectionString, maxConnections: 4),
            logger: TestPostgres.logger
        )
        return TestDatabase(
            name: name, connectionString: connectionString, client: client, serverConnectionString: server
        )
    }

    /// How many `CREATE DATABASE` statements the test process runs at once.
    private static let creations = TestGate(limit: 4)

    /// `ipm_template_<random>`: created and migrated by the first test that needs a
    /// migrated database, then closed to connections and copied by every other one.
    private enum MigratedTemplate {
        static func name(server: String) async throws -> String {
            try await creation.value { try await create(server: server) }
        }

        private static let creation = OnceTask<String>()

        private static func create(server: String) async throws -> String {
            let name = "ipm_template_" + String(UInt64.random(in: .min ... .max), radix: 36)
            try await withAdminClient(server) { admin in
                try await admin.execute("CREATE DATABASE \(identifier: name)")
            }
            let client = PostgresClient(
                configuration: PostgresConfiguration(connectionString: connectionString(server, database: name), maxConnections: 1),
                logger: TestPostgres.logger
            )
            do {
                _ = try await MigrationRunner(client: client, migrations: IPMSchema.migrations, logger: TestPostgres.logger).migrate()
            } catch {
                await client.close()
                throw error
            }
            await client.close()
            try await withAdminClient(server) { admin in
                try await admin.execute("ALTER DATABASE \(identifier: name) ALLOW_CONNECTIONS false")
            }
            return name
        }
    }

    /// Closes the pool and drops the database, ignoring errors.
    public func drop() async {
        await client.close()
        try? await Self.withAdminClient(serverConnectionString) { admin in
            try await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        }
    }

    private static func withAdminClient(_ server: String, _ body: (PostgresClient) async throws -> Void) async throws {
        let admin = PostgresClient(
            configuration: PostgresConfiguration(connectionString: server, maxConnections: 1),
            logger: TestPostgres.logger
        )
        do {
            try await body(admin)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    /// The server's connection string pointed at `database`: in a URL a `dbname` query
    /// parameter overrides the path, in key=value form a later keyword overrides an earlier one.
    static func connectionString(_ server: String, database: String) -> String {
        if server.hasPrefix("postgresql://") || server.hasPrefix("postgres://") {
            return server + (server.contains("?") ? "&" : "?") + "dbname=\(database)"
        }
        return server.isEmpty ? "dbname=\(database)" : "\(server) dbname=\(database)"
    }
}
