import ArgumentParser
import Foundation
import IPMConsole
import IPMDomain

struct LoginCommand: AdminSessionCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in as an admin; the CLI keeps only the session's token.",
        discussion: """
            The token is kept in $XDG_CONFIG_HOME/ipm/session (default ~/.config/ipm/session), \
            mode 0600; with --server, in session@<scheme>_<host>_<port> beside it, one per \
            server. A CLI session ends after 14 days unused, after 90 days, at `ipm logout`, \
            or at once when the admin is disabled. Signing in again replaces the previous session.
            """
    )
    static var needsSession: Bool { false }

    @Argument(help: "Your sign-in name (asked for when omitted).")
    var signInName: String?
    @Flag(help: "Read the password as one line from standard input.")
    var passwordStdin = false
    @OptionGroup var options: ConnectionOptions

    func run(in context: any AdminConsole, store: CredentialStore, token: Secret?) async throws {
        let name = try await askedName()
        let password = try PasswordReader.readForSignIn(fromStandardInput: passwordStdin)
        let signedIn = try await context.signIn(name, password: password)
        if let token { try? await context.signOut(token) }
        try store.save(signedIn.token)
        print(
            "Signed in as \(signedIn.admin.signInName) (\(signedIn.admin.displayName)) until \(signedIn.session.expiresAt.iso8601) at the latest."
                .terminalSafe)
    }

    private func askedName() async throws -> String {
        if let signInName { return signInName }
        guard LineReader.standardInputIsTerminal, !passwordStdin else {
            throw CLIError("no sign-in name: give it as an argument (ipm login NAME)")
        }
        guard let name = try await LineReader.ask("Sign-in name: ", what: "the sign-in name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty
        else {
            throw CLIError("no sign-in name entered")
        }
        return name
    }
}

struct LogoutCommand: AdminSessionCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the CLI session and forget its token.")
    static var needsSession: Bool { false }

    @OptionGroup var options: ConnectionOptions

    func run(in context: any AdminConsole, store: CredentialStore, token: Secret?) async throws {
        guard let token else {
            try store.remove()
            print("Not signed in.")
            return
        }
        try await context.signOut(token)
        try store.remove()
        print("Signed out.")
    }
}

struct WhoamiCommand: SignedInCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show who the CLI session belongs to.")

    @Flag(help: "Print JSON instead of text.")
    var json = false
    @OptionGroup var options: ConnectionOptions

    func run(as signedIn: any SignedInAdmin, in context: any AdminConsole) async throws {
        let admin = signedIn.admin
        let session = signedIn.session
        if json {
            print(try JSONOutput.render(WhoamiJSON(admin: AdminJSON(admin), signedInAt: session.createdAt, expiresAt: session.expiresAt)))
            return
        }
        print(
            "\(admin.signInName) (\(admin.displayName)), signed in at \(session.createdAt.iso8601); the session ends by \(session.expiresAt.iso8601)."
                .terminalSafe)
    }
}

struct WhoamiJSON: Encodable {
    let admin: AdminJSON
    let signedInAt: Date
    let expiresAt: Date
}

extension PasswordReader {
    /// A sign-in password: any length is accepted here; a wrong one fails as a wrong password.
    static func readForSignIn(fromStandardInput: Bool) throws -> Password {
        if fromStandardInput {
            guard let line = try InputLine.next("the password") else { throw CLIError("no password on standard input") }
            return Password(unchecked: line)
        }
        guard LineReader.standardInputIsTerminal else {
            throw CLIError("no terminal to ask for the password on; use --password-stdin")
        }
        return Password(unchecked: try prompt("Password: "))
    }
}
