import ArgumentParser
import Foundation
import IPMAPIClient
import IPMConsole
import IPMDomain
import IPMPostgres
import IPMTUI
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `ipm-tui`: the full-screen terminal front, on the database or an `ipm-server`, as `ipm` does.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipm-tui",
        abstract: TUIInfo.abstract,
        discussion: """
            Signs in with the session of `ipm login` when there is one, else asks for the sign-in \
            name and password. Works on the database (as `ipm`), or through an ipm-server with \
            --server URL or IPM_SERVER. Press ? inside for the keys. NO_COLOR turns colour off; \
            TERM=dumb draws plain text frames.
            """,
        version: IPMBuild.version
    )

    @Option(help: ArgumentHelp("Work through this ipm-server's JSON API (or IPM_SERVER) instead of the database.", valueName: "url"))
    var server: String?
    @Flag(help: "Allow an http:// server that is not on this machine (the password and token then travel unencrypted).")
    var insecure = false

    func run() async throws {
        // Refuse before anything is opened: one line, no terminal taken.
        let terminal: TerminalSession
        do {
            terminal = try TerminalSession()
        } catch {
            throw TUIExit(error.description)
        }
        let connection: AdminConnection
        do {
            connection = try AdminConnection(server: server, insecure: insecure)
        } catch {
            throw TUIExit(String(describing: error))
        }
        let context: any AdminConsole
        do {
            if case .server(let url) = connection {
                context = APIAdminConsole(server: url)
            } else {
                context = try await Self.openDatabase()
            }
        } catch {
            throw TUIExit(String(describing: error))
        }
        let console = AdminConsoleAdapter(console: context, connection: connection) { error in
            guard let error = error as? PostgresError else { return false }
            return [.connectionFailed, .connectionLost, .poolTimeout, .poolClosed].contains(error)
        }
        let status: Int32
        do {
            status = try await ConsoleRunner(console: console).run(terminal: terminal)
        } catch {
            await context.shutdown()
            throw TUIExit(String(describing: error))
        }
        await context.shutdown()
        if status != 0 { throw ExitCode(status) }
    }

    private static func openDatabase() async throws -> DomainAdminConsole {
        let configuration = try IPMConfiguration.load()
        // Nothing may write over the screen: logs only when asked for, and then still not to the terminal.
        let logger = LoggingSetup.logger(label: "ipm-tui", level: "critical")
        let database = try await AppDatabase.open(configuration, forMigration: false, logger: logger)
        do {
            let services = try DomainServices(client: database.client, configuration: configuration)
            return CLIEntry.adminConsole(configuration: configuration, database: database, services: services, logger: logger)
        } catch {
            await database.close()
            throw error
        }
    }
}

/// A one-line refusal on standard error, exit 1.
struct TUIExit: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

public enum TUIEntry {
    public static func main() async -> Never {
        EmbeddedIdleWatcher.runIfRequested()
        do {
            var command = try TUICommand.parse()
            try await command.run()
            exit(0)
        } catch let failure as TUIExit {
            FileHandle.standardError.write(Data("ipm-tui: \(failure.description)\n".utf8))
            exit(1)
        } catch {
            TUICommand.exit(withError: error)
        }
    }
}
