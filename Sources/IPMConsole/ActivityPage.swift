public import Foundation
public import IPMDomain

/// A page of activity as a console shows it, and where the next (older) one starts, `nil`
/// on the last page.
public struct ActivityPage: Sendable {
    public let events: [ActivityEntry]
    public let next: AuditCursor?

    public init(events: [ActivityEntry], next: AuditCursor?) {
        self.events = events
        self.next = next
    }
}

/// One line of activity as a console shows it: the actor already in words.
public struct ActivityEntry: Sendable, Hashable {
    public let id: AuditEventID
    public let occurredAt: Date
    public let action: AuditAction
    public let actor: String
    public let detail: String

    public init(id: AuditEventID, occurredAt: Date, action: AuditAction, actor: String, detail: String) {
        self.id = id
        self.occurredAt = occurredAt
        self.action = action
        self.actor = actor
        self.detail = detail
    }

    public init(_ event: AuditEvent) {
        self.init(id: event.id, occurredAt: event.occurredAt, action: event.action, actor: event.actor.description, detail: event.detail)
    }
}
