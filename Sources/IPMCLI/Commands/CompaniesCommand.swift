import ArgumentParser
import Foundation
import IPMAPIModels
import IPMConsole
import IPMDomain

struct CompaniesCommand: SignedInCommand {
    static let configuration = CommandConfiguration(
        commandName: "companies",
        abstract: "List your companies with their UPS OAuth status and connection health (Manage → Settings)."
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @OptionGroup var options: ConnectionOptions

    func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
        let companies = try await admin.companies()
        if json {
            print(try JSONOutput.render(companies.map { CompanyJSON($0, publicURL: admin.publicURL) }))
            return
        }
        guard !companies.isEmpty else {
            print("You do not belong to any company yet; an operator adds you (ipm company add-admin).")
            return
        }
        var table = Table("COMPANY", "ROLE", "UPS OAUTH", "HEALTH", "SINCE")
        for overview in companies {
            let connection = overview.connection
            table.append(cells: [
                .init(overview.company.name.value), .init(overview.role.rawValue),
                .init(connection.status.title, connection.status.color), .init(connection.healthWord, connection.healthColor),
                .init((connection.updatedAt ?? connection.authorizedAt)?.minutes ?? ""),
            ])
        }
        print(table.render(.standardOutput()))
        // What needs an admin, or is failing, in one line each: a table cell would not fit 80 columns.
        for overview in companies {
            if let line = overview.attentionLine(publicURL: admin.publicURL) { print(line.wrapped().joined(separator: "\n")) }
        }
    }
}

extension CompanyOverview {
    /// What `ipm companies` says under the table of a company that needs attention, else `nil`.
    func attentionLine(publicURL: URL) -> String? {
        let name = company.name.value
        switch connection.status {
        case .reauthorizationRequired:
            guard AccessPolicy.allows(role, .optIn) else { return "\(name): re-authorization required; a company admin must opt in again" }
            return
                "\(name): opt in again: ipm oauth opt-in \(name.shellQuoted) or open \(OptInLink.url(publicURL: publicURL, company: company.id).absoluteString)"
        case .blocked:
            return
                "\(name): blocked by UPS; next attempt \(connection.refreshHealth.nextAttemptAt?.minutes ?? "soon") (ipm oauth status \(name.shellQuoted))"
        case .authenticated where connection.refreshHealth.consecutiveFailures > 0:
            return
                "\(name): refreshes failing; next attempt \(connection.refreshHealth.nextAttemptAt?.minutes ?? "soon") (ipm oauth status \(name.shellQuoted))"
        default:
            return nil
        }
    }
}

extension UPSConnection {
    /// The HEALTH column: how refreshes go for a company that holds tokens.
    var healthWord: String {
        switch status {
        case .blocked: return "blocked"
        case .authenticated: return refreshHealth.consecutiveFailures > 0 ? "failing (\(refreshHealth.consecutiveFailures))" : "ok"
        case .notConnected, .optedOut, .reauthorizationRequired: return "-"
        }
    }

    var healthColor: TerminalStyle.Color? {
        switch status {
        case .blocked: .red
        case .authenticated: refreshHealth.consecutiveFailures > 0 ? .yellow : .green
        case .notConnected, .optedOut, .reauthorizationRequired: .dim
        }
    }
}

extension String {
    /// As typed at a shell: single-quoted when it holds anything but letters, digits and `-_.`.
    var shellQuoted: String {
        if !isEmpty, allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) { return self }
        return "'" + replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension Date {
    /// `2026-12-01 16:31Z`: to the minute, for narrow columns.
    var minutes: String {
        String(iso8601.prefix(16)).replacingOccurrences(of: "T", with: " ") + "Z"
    }
}
