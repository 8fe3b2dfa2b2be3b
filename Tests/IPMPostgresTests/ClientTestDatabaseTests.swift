import Foundation
import IPMPostgres
import IPMTestSupport
import Logging
import Testing

// Fresh, uniquely named databases for the client and migration-runner suites, on the
// shared test server (IPMTestSupport: IPM_TEST_DATABASE_URL or a throwaway cluster).

enum ClientTestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "ipm.postgres.tests")
        logger.logLevel = .critical
        return logger
    }()

    static func adminConnectionString() async throws -> String {
        try await TestPostgres.serverConnectionString()
    }

    /// Creates a new empty database and returns a configuration for it.
    static func create(_ prefix: String, maxConnections: Int = 10) async throws -> PostgresConfiguration {
        let admin = try await adminConnectionString()
        let name = "ipm_test_\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let client = PostgresClient(configuration: PostgresConfiguration(connectionString: admin, maxConnections: 1), logger: logger)
        try await client.execute("CREATE DATABASE \(identifier: name)")
        await client.close()
        return PostgresConfiguration(connectionString: connectionString(admin, database: name), maxConnections: maxConnections)
    }

    /// `admin` with its database replaced by `database`.
    static func connectionString(_ admin: String, database: String) -> String {
        if admin.contains("://"), var components = URLComponents(string: admin) {
            components.path = "/" + database
            return components.string ?? admin
        }
        return admin + " dbname=" + database
    }
}

/// One database per suite, created on first use.
actor ClientSuiteDatabase {
    private let prefix: String
    private var creation: Task<PostgresConfiguration, any Error>?

    init(_ prefix: String) {
        self.prefix = prefix
    }

    func configuration(maxConnections: Int = 10) async throws -> PostgresConfiguration {
        if creation == nil {
            let prefix = prefix
            creation = Task { try await ClientTestDatabase.create(prefix) }
        }
        var configuration = try await creation!.value
        configuration.maxConnections = maxConnections
        return configuration
    }

    func client(maxConnections: Int = 10) async throws -> PostgresClient {
        PostgresClient(configuration: try await configuration(maxConnections: maxConnections), logger: ClientTestDatabase.logger)
    }
}
