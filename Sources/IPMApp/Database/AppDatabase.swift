import Foundation
import IPMDomain
import IPMMigrationKit
import IPMPostgres
import Logging

/// The opened database: a pool on the configured server, or on the embedded one, which
/// this process holds in use until `close` (and then leaves running for the next program,
/// or stops if it is the last one out and `IPM_EMBEDDED_IDLE_STOP` is 0).
final class AppDatabase: Sendable {
    let client: PostgresClient
    private let embedded: (server: EmbeddedPostgres, handle: EmbeddedPostgres.Handle, stopOnClose: Bool)?
    private let logger: Logger

    private init(client: PostgresClient, embedded: (EmbeddedPostgres, EmbeddedPostgres.Handle, Bool)?, logger: Logger) {
        self.client = client
        self.embedded = embedded
        self.logger = logger
    }

    /// Opens the database and checks it is reachable. The embedded database is migrated on
    /// the spot (it is this machine's own); a configured one must already be migrated,
    /// unless `forMigration` (the `ipm migrate` commands) is set.
    static func open(_ configuration: IPMConfiguration, forMigration: Bool, logger: Logger) async throws -> AppDatabase {
        let connectionString: String
        var embedded: (EmbeddedPostgres, EmbeddedPostgres.Handle, Bool)?
        let setting: String
        switch configuration.database {
        case .url(let url):
            connectionString = url
            setting = "IPM_DATABASE_URL"
        case .libpqEnvironment:
            connectionString = ""
            setting = "the PG* environment"
        case .embedded:
            let server = EmbeddedPostgres(
                stateDirectory: configuration.stateDirectory, logger: logger, idleWatcher: EmbeddedIdleWatcher.watcher(for: configuration))
            let handle = try await onDedicatedThread { try server.start() }
            embedded = (server, handle, configuration.embeddedIdleStop == 0)
            connectionString = handle.connectionString
            setting = "the embedded PostgreSQL"
        }
        var postgres = PostgresConfiguration(connectionString: connectionString, maxConnections: configuration.databaseMaxConnections)
        do {
            try postgres.validate()
        } catch {
            throw ConfigurationError(
                setting, "expected a libpq connection URL such as postgresql://user@host:5432/ipm (\(error.operatorDetail ?? error.description))")
        }
        postgres.acquireTimeout = .seconds(10)
        let database = AppDatabase(client: PostgresClient(configuration: postgres, logger: logger), embedded: embedded, logger: logger)
        do {
            // Each check opens the first connection itself: no separate ping.
            if embedded != nil {
                try await database.migrateIfBehind()
            } else if !forMigration {
                try await database.requireCurrentSchema()
            } else {
                try await database.client.ping()
            }
        } catch let error as PostgresError {
            await database.close()
            throw DatabaseUnavailable(setting: setting, error: error)
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// The embedded database is this machine's own: migrated on the spot, but only when
    /// something is pending (a look is two statements, a migration run takes the lock).
    private func migrateIfBehind() async throws {
        let runner = MigrationRunner(client: client, migrations: IPMSchema.migrations, logger: logger)
        let current = try await runner.status().allSatisfy { status in
            if case .applied = status.state { return true }
            return false
        }
        if !current {
            try await runner.migrate()
        }
    }

    private func requireCurrentSchema() async throws {
        let status = try await MigrationRunner(client: client, migrations: IPMSchema.migrations, logger: logger).status()
        let behind = status.filter { $0.state == .pending }
        if !behind.isEmpty {
            throw SchemaBehind(pending: behind.map(\.fileName))
        }
    }

    func close() async {
        await client.close()
        guard let embedded else { return }
        guard embedded.stopOnClose else {
            embedded.server.release(embedded.handle)
            return
        }
        do {
            try await onDedicatedThread { try embedded.server.stop(embedded.handle) }
        } catch {
            logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }
}

/// The database could not be reached: one line, naming where it was looked for.
struct DatabaseUnavailable: Error, CustomStringConvertible {
    let setting: String
    let error: PostgresError

    var description: String {
        if let detail = error.operatorDetail {
            return "cannot use the database from \(setting): \(error.description) (\(detail))"
        }
        return "cannot use the database from \(setting): \(error.description)"
    }
}

/// A configured database whose schema is older than this build.
struct SchemaBehind: Error, CustomStringConvertible {
    let pending: [String]

    var description: String {
        "the database schema is not up to date (\(pending.count) pending migration\(pending.count == 1 ? "" : "s"), first \(pending[0])): run `ipm migrate`"
    }
}
