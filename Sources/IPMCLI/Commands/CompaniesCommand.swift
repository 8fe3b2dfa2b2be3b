import ArgumentParser
import Foundation
import IPMDomain

struct CompaniesCommand: SignedInCommand {
    static let configuration = CommandConfiguration(
        commandName: "companies",
        abstract: "List your companies with their UPS OAuth status (Manage → Settings)."
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @OptionGroup var options: ConnectionOptions

    func run(as admin: any SignedInAdmin, in context: any AdminContext) async throws {
        let companies = try await admin.companies()
        if json {
            print(try JSONOutput.render(companies.map(CompanyStatusJSON.init)))
            return
        }
        guard !companies.isEmpty else {
            print("You do not belong to any company yet; an operator adds you (ipm company add-admin).")
            return
        }
        var table = Table("COMPANY", "ROLE", "UPS OAUTH", "SINCE")
        for overview in companies {
            let connection = overview.connection
            table.append(cells: [
                .init(overview.company.name.value), .init(overview.role.rawValue),
                .init(connection.status.title, connection.status.color),
                .init((connection.updatedAt ?? connection.authorizedAt)?.iso8601 ?? ""),
            ])
        }
        print(table.render(.standardOutput()))
    }
}

/// A company and its UPS OAuth status, for `--json`.
struct CompanyStatusJSON: Encodable {
    let id: String
    let name: String
    let role: String
    let status: String
    let statusTitle: String
    let authorizedAt: Date?
    let accessTokenExpiresAt: Date?
    let refreshTokenExpiresAt: Date?
    let reauthorizationMessage: String?
    let optIn: OptInAttemptStatusJSON?

    init(_ overview: CompanyOverview) {
        let connection = overview.connection
        id = overview.company.id.description
        name = overview.company.name.value
        role = overview.role.rawValue
        status = connection.status.rawValue
        statusTitle = connection.status.title
        authorizedAt = connection.status == .authenticated ? connection.authorizedAt : nil
        accessTokenExpiresAt = connection.accessTokenExpiresAt
        refreshTokenExpiresAt = connection.refreshTokenExpiresAt
        reauthorizationMessage = connection.reauthorizationMessage
        optIn = overview.optIn.map(OptInAttemptStatusJSON.init)
    }
}
