public import Foundation

/// One event waiting in the webhook outbox.
public struct OutboxEvent: Sendable, Hashable {
    public let eventID: AuditEventID
    /// The JSON body, as it will be signed and sent.
    public let payload: String
    public let attempts: Int
    /// When the current run of attempts began: the event's creation, or its last redelivery.
    /// A delivery still failing `IPM_WEBHOOK_GIVE_UP_AFTER` later is given up.
    public let retryingSince: Date

    public init(eventID: AuditEventID, payload: String, attempts: Int, retryingSince: Date) {
        self.eventID = eventID
        self.payload = payload
        self.attempts = attempts
        self.retryingSince = retryingSince
    }
}

/// What became of one delivery attempt. `status` is the receiver's HTTP status, `nil` when
/// nothing answered; `error` is for the operator and the company's admins (no secrets).
public enum DeliveryResult: Sendable, Hashable {
    case delivered(status: Int)
    /// Try again at `retryAt`.
    case failed(status: Int?, error: String, retryAt: Date)
    /// Failing for longer than the give-up period: not tried again unless someone redelivers it.
    case dead(status: Int?, error: String)
}

/// The webhook outbox: events claimed one at a time across instances, each held (locked)
/// while it is being delivered.
public protocol WebhookOutbox: Sendable {
    /// Claims the oldest due event nobody else holds (neither delivered nor dead), runs
    /// `deliver`, and stores its result in the same transaction. `false` when nothing was due.
    func deliverNext(at now: Date, _ deliver: (OutboxEvent) async -> DeliveryResult) async throws -> Bool
}
