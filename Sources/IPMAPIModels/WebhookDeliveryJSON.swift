public import Foundation
public import IPMDomain

/// One line of the webhook delivery log (`GET /api/v1/companies/{id}/webhooks`,
/// `ipm webhooks list --json`). The event's body is not shown: the receiver has it.
public struct WebhookDeliveryJSON: Codable, Sendable, Hashable {
    public let id: String
    public let companyID: String
    public let companyName: String
    public let event: String
    public let state: String
    public let createdAt: Date
    public let attempts: Int
    public let lastAttemptAt: Date?
    public let lastStatus: Int?
    public let lastError: String?
    public let nextAttemptAt: Date?
    public let deliveredAt: Date?
    public let deadAt: Date?

    public init(
        id: String, companyID: String, companyName: String, event: String, state: String, createdAt: Date, attempts: Int, lastAttemptAt: Date?,
        lastStatus: Int?, lastError: String?, nextAttemptAt: Date?, deliveredAt: Date?, deadAt: Date?
    ) {
        self.id = id
        self.companyID = companyID
        self.companyName = companyName
        self.event = event
        self.state = state
        self.createdAt = createdAt
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.deadAt = deadAt
    }

    public init(_ delivery: WebhookDelivery) {
        self.init(
            id: delivery.id.description, companyID: delivery.company.id.description, companyName: delivery.company.name.value,
            event: delivery.eventType, state: delivery.state.rawValue, createdAt: delivery.createdAt, attempts: delivery.attempts,
            lastAttemptAt: delivery.lastAttemptAt, lastStatus: delivery.lastStatus, lastError: delivery.lastError,
            nextAttemptAt: delivery.nextAttemptAt, deliveredAt: delivery.deliveredAt, deadAt: delivery.deadAt
        )
    }
}

public struct WebhookDeliveryListJSON: Codable, Sendable, Hashable {
    public let deliveries: [WebhookDeliveryJSON]

    public init(deliveries: [WebhookDeliveryJSON]) {
        self.deliveries = deliveries
    }
}
