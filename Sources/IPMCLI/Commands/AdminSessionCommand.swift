import ArgumentParser
import Foundation
import IPMConsole
import IPMDomain

/// Where admin commands work: `--server URL` / `IPM_SERVER`, else the database.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Work through this ipm-server's JSON API (or IPM_SERVER) instead of the database.", valueName: "url"))
    var server: String?
    @Flag(help: "Allow an http:// server that is not on this machine (the password and token then travel unencrypted).")
    var insecure = false

    var connection: AdminConnection {
        get throws { try Self.connection(server: server, insecure: insecure) }
    }

    static func connection(
        server: String?, insecure: Bool, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AdminConnection {
        try AdminConnection(server: server, insecure: insecure, environment: environment)
    }
}

/// A command an admin runs in their own name, through an `AdminConsole`.
protocol AdminSessionCommand: ParsableCommand {
    var options: ConnectionOptions { get }
    /// Whether the command needs a stored token (checked before anything is opened).
    static var needsSession: Bool { get }
    func run(in context: any AdminConsole, store: CredentialStore, token: Secret?) async throws
}

/// Most admin commands act through the live session.
protocol SignedInCommand: AdminSessionCommand {
    func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws
}

extension SignedInCommand {
    static var needsSession: Bool { true }

    func run(in context: any AdminConsole, store: CredentialStore, token: Secret?) async throws {
        guard let token, let admin = try await context.session(for: token) else { throw CLIError.notSignedIn }
        try await run(as: admin, in: context)
    }
}

extension IPMCLIMain {
    /// Runs an admin command: no database is opened when the token is missing.
    static func runAdmin(_ command: any AdminSessionCommand, factory: OperatorContextFactory) async -> Int32 {
        let context: any AdminConsole
        let store: CredentialStore
        let token: Secret?
        do {
            let connection = try command.options.connection
            store = try CredentialStore.standard(for: connection)
            if type(of: command).needsSession {
                guard let stored = try store.load() else { throw CLIError.notSignedIn }
                token = stored
            } else {
                // login and logout replace or remove a token file that cannot be used.
                token = (try? store.load()) ?? nil
            }
            context = try await factory.makeAdmin(connection)
        } catch {
            return report(error)
        }
        let status: Int32
        do {
            try await command.run(in: context, store: store, token: token)
            status = ExitStatus.success
        } catch {
            status = report(error)
        }
        await context.shutdown()
        return status
    }
}
