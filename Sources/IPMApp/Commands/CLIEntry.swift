import Foundation
import IPMAPIClient
import IPMCLI
import IPMConsole
import IPMDomain
import IPMOAuth
import Logging

/// `ipm`: parses the command line, and builds the database context only for commands that need it.
public enum CLIEntry {
    public static func main() async -> Never {
        EmbeddedIdleWatcher.runIfRequested()
        var factory = OperatorContextFactory(
            generateKey: { id in try AESGCMKeyRing.generateKeySpec(id: id) },
            makeAdmin: { connection in
                if case .server(let url) = connection { return APIAdminConsole(server: url) }
                return try await openDatabase(forMigration: false) { configuration, database, services, logger in
                    adminConsole(configuration: configuration, database: database, services: services, logger: logger)
                }
            }
        ) { forMigration in
            try await openDatabase(forMigration: forMigration) { configuration, database, services, logger in
                DatabaseOperatorContext(configuration: configuration, database: database, services: services, logger: logger)
            }
        }
        factory.embeddedDatabase = {
            let configuration = try IPMConfiguration.load()
            return EmbeddedDatabaseCommands(configuration: configuration, logger: cliLogger(configuration, label: "ipm"))
        }
        exit(await IPMCLIMain.run(Array(CommandLine.arguments.dropFirst()), factory: factory))
    }

    /// The admin console on the database: the domain services, and the OAuth engine as the
    /// opt-in port, built only when `--paste` needs it (it needs the UPS settings).
    static func adminConsole(configuration: IPMConfiguration, database: AppDatabase, services: DomainServices, logger: Logger) -> DomainAdminConsole {
        DomainAdminConsole(
            sessions: services.sessions, access: services.companyAccess, notifications: services.notifications,
            publicURL: configuration.publicURL, browserOrigins: [configuration.publicURL, configuration.upsBaseURL],
            openOptInFlow: {
                let oauth = try OAuthComponents.make(configuration, services: services, client: database.client, logger: logger)
                return (oauth.optIn, { await oauth.shutdown() })
            },
            close: { await database.close() }
        )
    }

    /// The CLI speaks to people in one-line errors; logs only when asked for with IPM_LOG_LEVEL.
    private static func cliLogger(_ configuration: IPMConfiguration, label: String) -> Logger {
        let explicit = ProcessInfo.processInfo.environment["IPM_LOG_LEVEL"] != nil
        return LoggingSetup.logger(label: label, level: explicit ? configuration.logLevel : "critical")
    }

    /// Opens the configured database and builds a context on it; the database is closed again if that fails.
    private static func openDatabase<Context>(
        forMigration: Bool, _ make: (IPMConfiguration, AppDatabase, DomainServices, Logger) throws -> Context
    ) async throws -> Context {
        let configuration = try IPMConfiguration.load()
        let logger = cliLogger(configuration, label: "ipm")
        let database = try await AppDatabase.open(configuration, forMigration: forMigration, logger: logger)
        do {
            return try make(configuration, database, try DomainServices(client: database.client, configuration: configuration), logger)
        } catch {
            await database.close()
            throw error
        }
    }
}
