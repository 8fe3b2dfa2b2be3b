import ArgumentParser
import Foundation
import IPMAPIModels
import IPMConsole
import IPMDomain

struct AuditCommand: SignedInCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show a company's activity, newest first.",
        discussion: "When there is more, the last line on standard error gives the --before value of the next page."
    )

    @Argument(help: "The company's name or id.")
    var company: String
    @Option(help: "How many events to show (1–500).")
    var limit = 20
    @Option(help: ArgumentHelp("Continue after this point (printed at the end of the previous page).", valueName: "cursor"))
    var before: String?
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @OptionGroup var options: ConnectionOptions

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
        if let before, AuditCursor(text: before) == nil {
            throw ValidationError("--before: not a cursor printed by `ipm audit`")
        }
    }

    func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
        let page = try await admin.activity(try CompanyReference(company), limit: limit, before: before.flatMap { AuditCursor(text: $0) })
        let events = page.events
        let next = page.next?.text
        if json {
            print(try JSONOutput.render(AuditEventPageJSON(events: events.map(AuditEventJSON.init), next: next)))
            return
        }
        var table = Table("TIME", "WHAT", "BY", "DETAIL")
        for event in events {
            table.append(event.occurredAt.iso8601, event.action.title, event.actor.printable, event.detail.printable)
        }
        print(table.render(.standardOutput()))
        if let next {
            writeToStandardError("More: ipm audit \(Self.quoted(company)) --limit \(limit) --before \(next)\n")
        }
    }

    private static func quoted(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } ? text : "'\(text.replacingOccurrences(of: "'", with: "'\\''"))'"
    }
}

extension AuditEventJSON {
    /// The API's model of an event the console read (from the database or a server).
    init(_ entry: ActivityEntry) {
        self.init(
            id: entry.id.description, occurredAt: entry.occurredAt, actor: entry.actor, action: entry.action.rawValue, title: entry.action.title,
            detail: entry.detail)
    }
}
