import Foundation
import IPMPostgres
import Logging
import Testing

// A stand-in for the shared IPMTestSupport fixture: a fresh, uniquely named database on
// the server named by IPM_TEST_DATABASE_URL. Without that variable every test using it fails.

struct MissingTestDatabase: Error, CustomStringConvertible {
    var description: String {
        "IPM_TEST_DATABASE_URL is not set: export a libpq URL of a PostgreSQL server where the user may CREATE DATABASE, e.g. postgresql://postgres@127.0.0.1:55432/postgres"
    }
}

enum ClientTestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "ipm.postgres.tests")
        logger.logLevel = .critical
        return logger
    }()

    static func adminConnectionString() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["IPM_TEST_DATABASE_URL"], !url.isEmpty else {
            let error = MissingTestDatabase()
            Issue.record(Comment(rawValue: error.description))
            throw error
        }
        return url
    }

    /// Creates a new empty database and returns a configuration for it.
    static func create(_ prefix: String, maxConnections: Int = 10) async throws -> PostgresConfiguration {
        let admin = try adminConnectionString()
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
