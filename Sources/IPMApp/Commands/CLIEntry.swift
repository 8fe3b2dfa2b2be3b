import Foundation
import IPMCLI
import IPMDomain
import IPMOAuth
import Logging

/// `ipm`: parses the command line, and builds the database context only for commands that need it.
public enum CLIEntry {
    public static func main() async -> Never {
        let factory = OperatorContextFactory(generateKey: { id in
            try AESGCMKeyRing.generateKeySpec(id: id)
        }) { forMigration in
            let configuration = try IPMConfiguration.load()
            // The CLI speaks to people in one-line errors; logs only when asked for with IPM_LOG_LEVEL.
            let explicit = ProcessInfo.processInfo.environment["IPM_LOG_LEVEL"] != nil
            let logger = LoggingSetup.logger(label: "ipm", level: explicit ? configuration.logLevel : "critical")
            let database = try await AppDatabase.open(configuration, forMigration: forMigration, logger: logger)
            do {
                let services = try DomainServices(client: database.client, configuration: configuration)
                return DatabaseOperatorContext(configuration: configuration, database: database, services: services, logger: logger)
            } catch {
                await database.close()
                throw error
            }
        }
        exit(await IPMCLIMain.run(Array(CommandLine.arguments.dropFirst()), factory: factory))
    }
}
