public import Foundation

/// One webhook event and how its delivery went: the delivery log's line. Events belong to
/// companies, so each delivery does too.
public struct WebhookDelivery: Sendable, Hashable, Identifiable {
    public enum State: String, Sendable, Hashable, CaseIterable, Codable {
        /// Not delivered yet: waiting for its first attempt or for a retry.
        case pending
        case delivered
        /// Failed for longer than the give-up period; sent again only when someone redelivers it.
        case dead
    }

    /// The event's id (`X-IPM-Event-Id`), the audit event's.
    public let id: AuditEventID
    public let company: Company
    /// The webhook event type, e.g. `ups_connection.opted_in`.
    public let eventType: String
    public let createdAt: Date
    public let state: State
    public let attempts: Int
    public let lastAttemptAt: Date?
    /// The receiver's HTTP status at the last attempt; `nil` when nothing answered (or no attempt yet).
    public let lastStatus: Int?
    /// Why the last attempt failed; `nil` after a success.
    public let lastError: String?
    /// When it is tried next (pending deliveries only).
    public let nextAttemptAt: Date?
    public let deliveredAt: Date?
    public let deadAt: Date?

    public init(
        id: AuditEventID, company: Company, eventType: String, createdAt: Date, state: State, attempts: Int,
        lastAttemptAt: Date?, lastStatus: Int?, lastError: String?, nextAttemptAt: Date?, deliveredAt: Date?, deadAt: Date?
    ) {
        self.id = id
        self.company = company
        self.eventType = eventType
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.deadAt = deadAt
    }

    /// Dead, or pending after a failed attempt: what `--failed` lists.
    public var hasFailed: Bool {
        state == .dead || state == .pending && lastError != nil
    }
}

/// The delivery log: the outbox as people read it, and redelivery.
public protocol WebhookDeliveryLog: Sendable {
    /// Newest first; only `company`'s when given; only failed ones (`hasFailed`) with `failedOnly`.
    func deliveries(of company: CompanyID?, failedOnly: Bool, limit: Int) async throws -> [WebhookDelivery]
    /// Makes the delivery due again at `now` whatever its state (a delivered event is sent
    /// once more; receivers drop duplicates by event id), starts its give-up period anew, and
    /// appends the audit event `record` makes of it as it was before, in one transaction.
    /// - Returns: the delivery as it is now, or `nil` when there is no such delivery (in
    ///   `company`, when given).
    func redeliver(
        _ id: AuditEventID, in company: CompanyID?, at now: Date, recording record: @escaping @Sendable (WebhookDelivery) -> AuditEvent
    ) async throws -> WebhookDelivery?
    /// How many deliveries are pending and dead (delivered ones are not counted).
    func countByState() async throws -> [WebhookDelivery.State: Int]
}
