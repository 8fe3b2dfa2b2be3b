import Foundation
public import IPMMigrationKit
public import Logging

/// Applies the numbered migrations to the database, once each, in order.
///
/// Safe to run from several places at once: the whole run holds a session-level advisory
/// lock on one connection, so a second runner waits and then finds nothing pending.
/// Applied files are verified by checksum before anything runs; each migration runs in its
/// own transaction together with its record in `ipm_schema_migrations`.
public struct MigrationRunner: Sendable {
    /// The advisory lock key: "IPMMIGR1" as a 64-bit number, fixed forever.
    static let lockKey: Int64 = 0x4950_4D4D_4947_5231

    private let client: PostgresClient
    private let migrations: [Migration]
    private let logger: Logger

    public init(client: PostgresClient, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// The migrations compiled into this binary from `migrations/*.sql`.
    public init(client: PostgresClient, logger: Logger) {
        self.init(client: client, migrations: EmbeddedMigrations.all, logger: logger)
    }

    /// One entry per known or applied version, sorted by version.
    public func status() async throws -> [MigrationStatus] {
        let migrations = migrations
        let applied = try await client.withConnection { connection in
            try Self.tableExists(connection) ? Self.appliedMigrations(connection) : [:]
        }
        return Self.status(known: migrations, applied: applied)
    }

    /// Applies every pending migration and returns those applied now (`[]` when none).
    @discardableResult
    public func migrate() async throws -> [Migration] {
        let migrations = migrations
        let logger = logger
        return try await client.withConnection { connection in
            try connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            defer {
                do {
                    try connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                } catch {
                    // The lock ends with the session; a broken connection is discarded anyway.
                    logger.warning("could not release the migration lock", metadata: ["error": "\(error)"])
                }
            }
            return try Self.migrate(migrations, on: connection, logger: logger)
        }
    }

    // MARK: Steps (run on the locked connection)

    private static func migrate(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger) throws -> [Migration] {
        try connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS ipm_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = try appliedMigrations(connection)
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })

        let edited = migrations.filter { migration in
            applied[migration.version].map { $0.checksum != migration.checksum } ?? false
        }
        if !edited.isEmpty {
            let error = MigrationError.checksumMismatch(fileNames: edited.map(\.fileName))
            logger.error("refusing to migrate", metadata: ["error": "\(error)"])
            throw error
        }
        let unknown = applied.keys.filter { known[$0] == nil }.sorted()
        if !unknown.isEmpty {
            let error = MigrationError.unknownVersions(unknown)
            logger.error("refusing to migrate", metadata: ["error": "\(error)"])
            throw error
        }

        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            logger.info("applying migration", metadata: ["migration": "\(migration.fileName)"])
            do throws(PostgresError) {
                try connection.executeScript("BEGIN")
                try connection.executeScript(migration.sql)
                try connection.execute(
                    """
                    INSERT INTO ipm_schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
                try connection.commit()
            } catch {
                if connection.isInTransaction { connection.rollbackQuietly() }
                let failure = MigrationError.migrationFailed(
                    fileName: migration.fileName,
                    serverMessage: error.serverMessage ?? error.debugDescription
                )
                logger.error(
                    "migration failed",
                    metadata: [
                        "migration": "\(migration.fileName)",
                        "postgres.sqlstate": "\(error.sqlState ?? "-")",
                        "error": "\(failure)",
                    ])
                throw failure
            }
            done.append(migration)
        }
        if done.isEmpty {
            logger.info("database schema is up to date", metadata: ["migrations": "\(migrations.count)"])
        }
        return done
    }

    private static func tableExists(_ connection: PostgresConnection) throws -> Bool {
        let rows = try connection.query("SELECT to_regclass('ipm_schema_migrations') IS NOT NULL AS present")
        return try rows.first?.decode("present", as: Bool.self) ?? false
    }

    private struct AppliedMigration: Sendable {
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    private static func appliedMigrations(_ connection: PostgresConnection) throws -> [Int: AppliedMigration] {
        var applied: [Int: AppliedMigration] = [:]
        for row in try connection.query("SELECT version, name, checksum, applied_at FROM ipm_schema_migrations") {
            applied[try row.decode("version", as: Int.self)] = AppliedMigration(
                name: try row.decode("name"),
                checksum: try row.decode("checksum"),
                appliedAt: try row.decode("applied_at")
            )
        }
        return applied
    }

    private static func status(known: [Migration], applied: [Int: AppliedMigration]) -> [MigrationStatus] {
        var result: [MigrationStatus] = known.map { migration in
            guard let record = applied[migration.version] else {
                return MigrationStatus(version: migration.version, name: migration.name, state: .pending)
            }
            let state: MigrationStatus.State = record.checksum == migration.checksum ? .applied(record.appliedAt) : .modified
            return MigrationStatus(version: migration.version, name: migration.name, state: state)
        }
        let knownVersions = Set(known.map(\.version))
        for (version, record) in applied where !knownVersions.contains(version) {
            result.append(MigrationStatus(version: version, name: record.name, state: .unknown))
        }
        return result.sorted { $0.version < $1.version }
    }
}
