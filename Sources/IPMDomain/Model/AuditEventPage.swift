/// A page of a company's activity, newest first, and where the next (older) page starts:
/// `nil` on the last page. `CompanyAccess.activity` is the one place that pages.
public struct AuditEventPage: Sendable, Hashable {
    public let events: [AuditEvent]
    public let next: AuditCursor?

    public init(events: [AuditEvent], next: AuditCursor?) {
        self.events = events
        self.next = next
    }

    /// The sizes a page may have; a limit outside is held to it.
    public static let limits: ClosedRange<Int> = 1...500
}
