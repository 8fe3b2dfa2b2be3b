import Foundation
import Hummingbird
import IPMAPIModels
import IPMDomain

/// A company's webhook deliveries: `GET /api/v1/companies/{id}/webhooks` (`failed`,
/// `limit`) for its members, `POST …/webhooks/{deliveryID}/redeliver` for its admins.
struct WebhooksAPI: Sendable {
    let webhooks: WebhookDeliveries
    let access: CompanyAccess

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/companies/:id/webhooks") { request, context -> Response in
            let caller = try context.requireAdmin()
            let limit = try request.uri.limit()
            let failed = try request.uri.flag("failed") ?? false
            let deliveries = try await webhooks.deliveries(of: try context.companyReference(), for: caller.admin, failedOnly: failed, limit: limit)
            return try .json(WebhookDeliveryListJSON(deliveries: deliveries.map(WebhookDeliveryJSON.init)))
        }

        group.post("/companies/:id/webhooks/:deliveryID/redeliver") { _, context -> Response in
            let caller = try context.requireAdmin()
            let reference = try context.companyReference()
            let noSuchDelivery = HTTPRefusal(.notFound, title: "Not found", "The company has no such webhook delivery.")
            // Authorized first, so a viewer is refused whatever the id; then an unknown id is this company's 404.
            guard let id = context.parameters.get("deliveryID").flatMap(AuditEventID.init) else {
                _ = try await access.authorize(.redeliverWebhooks, reference, caller.admin)
                throw noSuchDelivery
            }
            guard let delivery = try await webhooks.redeliver(id, of: reference, by: caller.admin) else { throw noSuchDelivery }
            return try .json(WebhookDeliveryJSON(delivery))
        }
    }
}
