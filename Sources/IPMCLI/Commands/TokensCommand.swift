import ArgumentParser
import Foundation
import IPMDomain

struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Work with companies' UPS tokens (operator command: direct database access).",
        subcommands: [Refresh.self]
    )

    struct Refresh: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "refresh",
            abstract: "Refresh the UPS tokens that are due, once, and report each outcome.",
            discussion: """
                Without COMPANY, every authenticated company whose access token is due is refreshed \
                (companies another instance is refreshing right now are reported as busy). With \
                COMPANY, only that company, and --force refreshes it even when it is not due. \
                Exits 1 when any refresh failed.
                """
        )

        @Argument(help: "The company's name or id (default: every company that is due).")
        var company: String?
        @Flag(help: "Refresh even when the access token is not due yet (needs COMPANY).")
        var force = false
        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if force && company == nil {
                throw ValidationError("--force needs a COMPANY: refreshing every company at once is never needed")
            }
        }

        func run(in context: any OperatorContext) async throws {
            let reference = try company.map { try CompanyReference($0) }
            let reports = try await context.refreshTokens(reference, force: force)
            if json {
                print(try JSONOutput.render(reports.map(RefreshJSON.init)))
            } else if reports.isEmpty {
                print("No company is due for a refresh.")
            } else {
                var table = Table("COMPANY", "OUTCOME", "DETAIL")
                for report in reports {
                    table.append(report.company.name.value, report.outcome.label, report.outcome.description)
                }
                print(table.render())
            }
            let failed = reports.filter(\.outcome.isFailure).count
            if failed > 0 {
                throw CLIError("\(failed) of \(reports.count) refresh\(reports.count == 1 ? "" : "es") failed")
            }
        }
    }
}

struct RefreshJSON: Encodable {
    let companyID: String
    let company: String
    let outcome: String
    let detail: String
    let accessTokenExpiresAt: Date?

    init(_ report: RefreshReport) {
        companyID = report.company.id.description
        company = report.company.name.value
        outcome = report.outcome.label
        detail = report.outcome.description
        switch report.outcome {
        case .refreshed(let expiry), .notDue(let expiry): accessTokenExpiresAt = expiry
        default: accessTokenExpiresAt = nil
        }
    }
}
