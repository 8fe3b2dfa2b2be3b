public import Foundation

/// Webhook deliveries for the people who act on them: operators see and redeliver every
/// company's (the CLI on the database); a company's members see its deliveries and its
/// admins redeliver them (the JSON API), under the access rules.
public struct WebhookDeliveries: Sendable {
    private let log: any WebhookDeliveryLog
    private let access: CompanyAccess
    private let clock: any Clock

    public init(log: any WebhookDeliveryLog, access: CompanyAccess, clock: any Clock) {
        self.log = log
        self.access = access
        self.clock = clock
    }

    // MARK: Operators

    /// Every company's deliveries, newest first.
    public func all(failedOnly: Bool, limit: Int) async throws -> [WebhookDelivery] {
        try await log.deliveries(of: nil, failedOnly: failedOnly, limit: Self.clamped(limit))
    }

    /// Sends the event again as soon as a server's deliverer runs; recorded as the operator's.
    /// Throws `notFound` for an unknown id.
    public func redeliver(_ id: AuditEventID, byOperator name: String) async throws -> WebhookDelivery {
        let actor = AuditActor.operator(name)
        guard let delivery = try await log.redeliver(id, in: nil, at: clock.now(), recording: Self.record(by: actor, at: clock.now())) else {
            throw DomainError.notFound("webhook delivery", id.description)
        }
        return delivery
    }

    // MARK: A company's members

    /// The company's deliveries, newest first, for anyone who may view the company.
    public func deliveries(of reference: CompanyReference, for admin: Admin, failedOnly: Bool, limit: Int) async throws -> [WebhookDelivery] {
        let (company, _) = try await access.authorize(.view, reference, admin)
        return try await log.deliveries(of: company.id, failedOnly: failedOnly, limit: Self.clamped(limit))
    }

    /// Sends one of the company's events again; company admins only. `nil` when the company
    /// has no such delivery.
    public func redeliver(_ id: AuditEventID, of reference: CompanyReference, by admin: Admin) async throws -> WebhookDelivery? {
        let (company, _) = try await access.authorize(.redeliverWebhooks, reference, admin)
        let now = clock.now()
        return try await log.redeliver(id, in: company.id, at: now, recording: Self.record(by: .admin(admin.id, admin.signInName), at: now))
    }

    private static func record(by actor: AuditActor, at now: Date) -> @Sendable (WebhookDelivery) -> AuditEvent {
        { delivery in
            AuditEvent(
                companyID: delivery.company.id, actor: actor, occurredAt: now, action: .webhookRedelivered,
                detail:
                    "Webhook event \(delivery.eventType) (\(delivery.id)) will be sent again; it was \(delivery.state.rawValue) after \(delivery.attempts) attempt\(delivery.attempts == 1 ? "" : "s")."
            )
        }
    }

    private static func clamped(_ limit: Int) -> Int { max(1, min(limit, 500)) }
}
