import Foundation
import IPMCLI
import IPMConsole
import IPMDomain
import IPMOAuth
import Logging

/// `ipm`: parses the command line, and builds the database context only for commands that need it.
public enum CLIEntry {
    public static func main() async -> Never {
        let factory = OperatorContextFactory(
            generateKey: { id in try AESGCMKeyRing.generateKeySpec(id: id) },
            makeAdmin: { connection in
                if case .server(let url) = connection { return ServerAdminContext(server: url) }
                return try await openDatabase(forMigration: false) { configuration, database, services, logger in
                    DatabaseAdminContext(configuration: configuration, database: database, services: services, logger: logger)
                }
            }
        ) { forMigration in
            try await openDatabase(forMigration: forMigration) { configuration, database, services, logger in
                DatabaseOperatorContext(configuration: configuration, database: database, services: services, logger: logger)
            }
        }
        exit(await IPMCLIMain.run(Array(CommandLine.arguments.dropFirst()), factory: factory))
    }

    /// Opens the configured database and builds a context on it; the database is closed again if that fails.
    private static func openDatabase<Context>(
        forMigration: Bool, _ make: (IPMConfiguration, AppDatabase, DomainServices, Logger) throws -> Context
    ) async throws -> Context {
        let configuration = try IPMConfiguration.load()
        // The CLI speaks to people in one-line errors; logs only when asked for with IPM_LOG_LEVEL.
        let explicit = ProcessInfo.processInfo.environment["IPM_LOG_LEVEL"] != nil
        let logger = LoggingSetup.logger(label: "ipm", level: explicit ? configuration.logLevel : "critical")
        let database = try await AppDatabase.open(configuration, forMigration: forMigration, logger: logger)
        do {
            return try make(configuration, database, try DomainServices(client: database.client, configuration: configuration), logger)
        } catch {
            await database.close()
            throw error
        }
    }
}
