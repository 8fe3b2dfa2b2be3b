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

    /// Creates the database and, when `migrated`, applies every embedded migration.
    public static func fresh(migrated: Bool = true) async throws -> TestDatabase {
        let server = try await TestPostgres.serverConnectionString()
        let name = "ipm_test_" + String(UInt64.random(in: .min ... .max), radix: 36)
        try await withAdminClient(server) { admin in
            try await admin.execute("CREATE DATABASE \(identifier: name)")
        }
        let connectionString = Self.connectionString(server, database: name)
        let client = PostgresClient(
            configuration: PostgresConfiguration(connectionString: connectionString, maxConnections: 4),
            logger: TestPostgres.logger
        )
        let database = TestDatabase(
            name: name, connectionString: connectionString, client: client, serverConnectionString: server
        )
        if migrated {
            do {
                _ = try await MigrationRunner(client: client, migrations: IPMSchema.migrations, logger: TestPostgres.logger).migrate()
            } catch {
                await database.drop()
                throw error
            }
        }
        return database
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
