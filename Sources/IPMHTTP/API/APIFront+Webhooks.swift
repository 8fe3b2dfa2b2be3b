import Foundation
import Hummingbird
import IPMDomain

/// One line of the delivery log. The event's body is not shown: the receiver has it.
struct WebhookDeliveryJSON: Encodable, Sendable {
    let id: String
    let companyID: String
    let event: String
    let state: String
    let createdAt: Date
    let attempts: Int
    let lastAttemptAt: Date?
    let lastStatus: Int?
    let lastError: String?
    let nextAttemptAt: Date?
    let deliveredAt: Date?
    let deadAt: Date?

    init(_ delivery: WebhookDelivery) {
        id = delivery.id.description
        companyID = delivery.company.id.description
        event = delivery.eventType
        state = delivery.state.rawValue
        createdAt = delivery.createdAt
        attempts = delivery.attempts
        lastAttemptAt = delivery.lastAttemptAt
        lastStatus = delivery.lastStatus
        lastError = delivery.lastError
        nextAttemptAt = delivery.nextAttemptAt
        deliveredAt = delivery.deliveredAt
        deadAt = delivery.deadAt
    }
}

struct WebhookDeliveryListJSON: Encodable, Sendable {
    let deliveries: [WebhookDeliveryJSON]
}
