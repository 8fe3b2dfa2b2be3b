import ArgumentParser
import IPMConsole
import IPMDomain

/// `ipm`: the admin's and the operator's command line.
struct IPMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipm",
        abstract: "Intelligent Pickup Manager: UPS OAuth opt-in for your companies.",
        discussion: """
            Admin commands (login, logout, whoami, companies, oauth, audit, notifications) act as \
            the signed-in admin, under the same rules as the web pages; `ipm login` first. They \
            work on the shared database, or through an ipm-server's JSON API with --server URL (or \
            IPM_SERVER), with the same output either way. Operator commands (migrate, admin, \
            company, tokens, keys, service-token, webhooks, database) work on the database directly: IPM_DATABASE_URL, \
            libpq's PG* variables, or the embedded PostgreSQL under IPM_STATE_DIR.

            Exit codes: 0 success; 1 the command failed (one line on standard error says why); \
            64 the command line was wrong; 75 try again later: `ipm oauth opt-in` waited and the \
            opt-in did not complete in time, or the server could not be reached; 77 not signed in \
            (no session, or it ended: run `ipm login`); 130 Ctrl-C stopped the wait.
            """,
        version: IPMBuild.version,
        subcommands: [
            LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, CompaniesCommand.self, OAuthCommand.self, AuditCommand.self,
            NotificationsCommand.self,
            MigrateCommand.self, AdminCommand.self, CompanyCommand.self, TokensCommand.self, KeysCommand.self, ServiceTokenCommand.self,
            WebhooksCommand.self, DatabaseCommand.self,
        ]
    )
}

/// Runs the `ipm` command line with the composition root's context.
public enum IPMCLIMain {
    public static func run(_ arguments: [String], factory: OperatorContextFactory) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try IPMCommand.parseAsRoot(arguments)
        } catch {
            return reportParsing(error)
        }
        if let adminCommand = command as? any AdminSessionCommand {
            return await runAdmin(adminCommand, factory: factory)
        }
        if let factoryCommand = command as? any FactoryCommand {
            do {
                try await factoryCommand.run(with: factory)
                return 0
            } catch {
                return report(error)
            }
        }
        guard let operatorCommand = command as? any OperatorCommand else {
            do {
                var plain = command
                try plain.run()
                return 0
            } catch {
                return reportParsing(error)
            }
        }
        let context: any OperatorContext
        do {
            context = try await factory.make(type(of: operatorCommand).isMigrationCommand)
        } catch {
            return report(error)
        }
        let status: Int32
        do {
            try await operatorCommand.run(in: context)
            status = 0
        } catch {
            status = report(error)
        }
        await context.shutdown()
        return status
    }

    /// Errors from parsing (and help, version) keep ArgumentParser's messages and codes.
    private static func reportParsing(_ error: any Error) -> Int32 {
        let code = IPMCommand.exitCode(for: error)
        let message = IPMCommand.fullMessage(for: error)
        if code == .success {
            print(message)
        } else {
            writeToStandardError(message + "\n")
        }
        return code.rawValue
    }

    /// Everything that fails while a command runs is one line on standard error, exit 1.
    static func report(_ error: any Error) -> Int32 {
        // Error texts may quote a server or the database: one safe line.
        writeToStandardError("ipm: \(String(describing: error).terminalSafeLine)\n")
        return (error as? CLIError)?.exitCode ?? (error as? ConsoleFailure)?.exitCode ?? ExitStatus.failure
    }
}
