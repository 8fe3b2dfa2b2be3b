import ArgumentParser
import Foundation
import IPMAPIModels
import IPMConsole
import IPMDomain

struct NotificationsCommand: SignedInCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract:
            "Show what happened to your companies' UPS connections (opt-ins, opt-outs, re-authorizations, failing refreshes, blocks, expiring authorizations), newest first.",
        discussion:
            "With --mark-read, everything shown (and anything that arrived meanwhile) is marked read afterwards; standard error says how many."
    )

    @Flag(help: "Only notifications not yet marked read.")
    var unread = false
    @Option(help: "How many to show (1–500).")
    var limit = 50
    @Flag(help: "Mark every notification read after showing them.")
    var markRead = false
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @OptionGroup var options: ConnectionOptions

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
    }

    func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
        let notifications = try await admin.notifications(unreadOnly: unread, limit: limit)
        if json {
            print(try JSONOutput.render(notifications.map { NotificationJSON($0, publicURL: admin.publicURL) }))
        } else if notifications.isEmpty {
            print(unread ? "No unread notifications." : "No notifications.")
        } else {
            // Unread ones stand out in bold at a terminal.
            var table = Table("WHEN", "COMPANY", "WHAT")
            for notification in notifications {
                let color: TerminalStyle.Color? = notification.isRead ? nil : .bold
                table.append(cells: [
                    .init(notification.occurredAt.iso8601), .init(notification.companyName.printable),
                    .init(notification.text(publicURL: admin.publicURL).printable, color),
                ])
            }
            print(table.render(.standardOutput()))
        }
        if markRead {
            let marked = try await admin.markNotificationsRead()
            writeToStandardError("Marked \(marked) notification\(marked == 1 ? "" : "s") read.\n")
        }
    }
}

extension NotificationJSON {
    /// The API's model of a notification the console read (from the database or a server).
    init(_ notification: NotificationEntry, publicURL: URL) {
        self.init(
            id: notification.id.description, companyID: notification.companyID.description, companyName: notification.companyName,
            kind: notification.kind.rawValue, message: notification.message, occurredAt: notification.occurredAt, read: notification.isRead,
            optInURL: notification.kind.asksToOptIn ? OptInLink.url(publicURL: publicURL, company: notification.companyID).absoluteString : nil
        )
    }
}

extension NotificationEntry {
    /// The message, and for those that ask an admin to opt in again, how.
    func text(publicURL: URL) -> String {
        guard kind.asksToOptIn else { return message }
        return
            "\(message) Opt in again: ipm oauth opt-in \(companyName.shellQuoted) or open \(OptInLink.url(publicURL: publicURL, company: companyID).absoluteString)"
    }
}
