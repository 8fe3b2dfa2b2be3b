import ArgumentParser
import Foundation
import IPMDomain

struct CompanyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "company",
        abstract: "Create companies and give admins access (operator command: direct database access).",
        discussion: "A company is named by its name (case-insensitive) or its id.",
        subcommands: [Create.self, List.self, AddAdmin.self, Members.self]
    )

    struct Create: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a company.")

        @Argument(help: "The company's name (unique, case-insensitive).")
        var name: String

        func run(in context: any OperatorContext) async throws {
            let company = try await context.operatorService.createCompany(try CompanyName(name))
            print("Created company \(company.name) (\(company.id)).")
        }
    }

    struct List: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List every company.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run(in context: any OperatorContext) async throws {
            let companies = try await context.operatorService.listCompanies()
            if json {
                print(try JSONOutput.render(companies.map(OperatorCompanyJSON.init)))
                return
            }
            var table = Table("NAME", "CREATED", "ID")
            for company in companies {
                table.append(company.name.value, company.createdAt.iso8601, company.id.description)
            }
            print(table.render())
        }
    }

    struct AddAdmin: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-admin",
            abstract: "Give an admin access to a company, or change their role."
        )

        @Argument(help: "The company's name or id.")
        var company: String
        @Argument(help: "The admin's sign-in name.")
        var signInName: String
        @Option(help: "admin (opts in and out) or viewer (sees the status).")
        var role: String = "admin"

        func run(in context: any OperatorContext) async throws {
            let role = try Role(parsing: role)
            let (company, admin, _) = try await context.operatorService.addAdmin(
                try SignInName(signInName), to: try CompanyReference(company), role: role
            )
            print("\(admin.signInName) is now \(role == .admin ? "an admin" : "a viewer") of \(company.name).")
        }
    }

    struct Members: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "members", abstract: "List a company's admins and viewers.")

        @Argument(help: "The company's name or id.")
        var company: String
        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run(in context: any OperatorContext) async throws {
            let members = try await context.operatorService.members(of: try CompanyReference(company))
            if json {
                print(try JSONOutput.render(members.map { MemberJSON(admin: AdminJSON($0.admin), role: $0.role.rawValue) }))
                return
            }
            var table = Table("SIGN-IN NAME", "ROLE", "STATUS")
            for member in members {
                table.append(member.admin.signInName.value, member.role.rawValue, member.admin.isDisabled ? "disabled" : "active")
            }
            print(table.render())
        }
    }
}

/// `ipm company list --json`: a company as the operator sees it.
struct OperatorCompanyJSON: Encodable {
    let id: String
    let name: String
    let createdAt: Date

    init(_ company: Company) {
        id = company.id.description
        name = company.name.value
        createdAt = company.createdAt
    }
}

struct MemberJSON: Encodable {
    let admin: AdminJSON
    let role: String
}
