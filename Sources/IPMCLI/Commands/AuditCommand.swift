import ArgumentParser
import Foundation
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
        if let before, AuditPageCursor.parse(before) == nil {
            throw ValidationError("--before: not a cursor printed by `ipm audit`")
        }
    }

    func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
        let page = try await admin.activity(try CompanyReference(company), limit: limit, before: before.flatMap(AuditPageCursor.parse))
        let events = page.events
        let next = page.next.map(AuditPageCursor.text)
        if json {
            print(try JSONOutput.render(AuditPageJSON(events: events.map(AuditEventJSON.init), nextBefore: next)))
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

/// `--before`: the last event's time in microseconds since 1970 and its id; exact, because
/// application times are microsecond-exact (DECISIONS.md 5).
enum AuditPageCursor {
    static func text(_ cursor: AuditCursor) -> String {
        "\(cursor.microseconds).\(cursor.id)"
    }

    /// nil for anything but a cursor `text` printed, a time outside the cursors' range included.
    static func parse(_ text: String) -> AuditCursor? {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = AuditEventID(String(parts[1])) else { return nil }
        return AuditCursor(microseconds: micros, id: id)
    }
}

struct AuditPageJSON: Encodable {
    let events: [AuditEventJSON]
    let nextBefore: String?
}

struct AuditEventJSON: Encodable {
    let id: String
    let occurredAt: Date
    let action: String
    let title: String
    let actor: String
    let detail: String

    init(_ event: ActivityEntry) {
        id = event.id.description
        occurredAt = event.occurredAt
        action = event.action.rawValue
        title = event.action.title
        actor = event.actor
        detail = event.detail
    }
}
