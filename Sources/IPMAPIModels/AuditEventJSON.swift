public import Foundation
public import IPMDomain

/// One line of a company's activity (`GET /api/v1/companies/{id}/events`, `ipm audit --json`).
public struct AuditEventJSON: Codable, Sendable, Hashable {
    public let id: String
    public let occurredAt: Date
    /// Who, in words.
    public let actor: String
    public let action: String
    public let title: String
    public let detail: String

    public init(id: String, occurredAt: Date, actor: String, action: String, title: String, detail: String) {
        self.id = id
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.title = title
        self.detail = detail
    }

    public init(_ event: AuditEvent) {
        self.init(
            id: event.id.description, occurredAt: event.occurredAt, actor: event.actor.description, action: event.action.rawValue,
            title: event.action.title, detail: event.detail)
    }
}

/// A page of activity, newest first.
public struct AuditEventPageJSON: Codable, Sendable, Hashable {
    public let events: [AuditEventJSON]
    /// Pass as `before` for the next (older) page (`AuditCursor.text`); absent on the last page.
    public let next: String?

    public init(events: [AuditEventJSON], next: String?) {
        self.events = events
        self.next = next
    }

    public init(_ page: AuditEventPage) {
        self.init(events: page.events.map(AuditEventJSON.init), next: page.next?.text)
    }
}
