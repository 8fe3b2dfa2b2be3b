import ArgumentParser
import Foundation
import IPMDomain

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Create and manage admins (operator command: direct database access).",
        subcommands: [Create.self, List.self, SetPassword.self, Disable.self, Enable.self]
    )

    struct Create: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an admin; the password is asked for without echo.")

        @Argument(help: "The sign-in name (unique, case-insensitive).")
        var signInName: String
        @Option(help: "The admin's email address.")
        var email: String?
        @Option(help: "The name shown to people (defaults to the sign-in name).")
        var displayName: String?
        @Flag(help: "Read the password as one line from standard input.")
        var passwordStdin = false

        func run(in context: any OperatorContext) async throws {
            let newAdmin = try NewAdmin(
                signInName: try SignInName(signInName),
                displayName: displayName,
                email: try email.map { value throws(DomainError) in try EmailAddress(value) }
            )
            let password = try PasswordReader.read(fromStandardInput: passwordStdin, confirm: true)
            let admin = try await context.operatorService.createAdmin(newAdmin, password: password)
            print("Created admin \(admin.signInName) (\(admin.id)).")
        }
    }

    struct List: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List every admin.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run(in context: any OperatorContext) async throws {
            let admins = try await context.operatorService.listAdmins()
            if json {
                print(try JSONOutput.render(admins.map(AdminJSON.init)))
                return
            }
            var table = Table("SIGN-IN NAME", "DISPLAY NAME", "EMAIL", "STATUS", "ID")
            for admin in admins {
                table.append(
                    admin.signInName.value, admin.displayName, admin.email?.value ?? "", admin.isDisabled ? "disabled" : "active",
                    admin.id.description)
            }
            print(table.render())
        }
    }

    struct SetPassword: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password", abstract: "Set an admin's password; their sessions and API tokens are revoked.")

        @Argument(help: "The admin's sign-in name.")
        var signInName: String
        @Flag(help: "Read the password as one line from standard input.")
        var passwordStdin = false

        func run(in context: any OperatorContext) async throws {
            let name = try SignInName(signInName)
            let password = try PasswordReader.read(fromStandardInput: passwordStdin, confirm: true)
            try await context.operatorService.setPassword(of: name, to: password)
            print("Password of \(name) changed. Every session and API token of \(name) was revoked.")
        }
    }

    struct Disable: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Disable an admin: they can no longer sign in or act; their sessions and API tokens are revoked for good.")

        @Argument(help: "The admin's sign-in name.")
        var signInName: String

        func run(in context: any OperatorContext) async throws {
            let admin = try await context.operatorService.setDisabled(try SignInName(signInName), true)
            print(
                "Admin \(admin.signInName) is disabled. Every session and API token of \(admin.signInName) was revoked; enabling does not bring them back."
            )
        }
    }

    struct Enable: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled admin again.")

        @Argument(help: "The admin's sign-in name.")
        var signInName: String

        func run(in context: any OperatorContext) async throws {
            let admin = try await context.operatorService.setDisabled(try SignInName(signInName), false)
            print("Admin \(admin.signInName) is enabled.")
        }
    }
}

struct AdminJSON: Encodable {
    let id: String
    let signInName: String
    let displayName: String
    let email: String?
    let disabled: Bool
    let createdAt: Date

    init(_ admin: Admin) {
        id = admin.id.description
        signInName = admin.signInName.value
        displayName = admin.displayName
        email = admin.email?.value
        disabled = admin.isDisabled
        createdAt = admin.createdAt
    }
}
