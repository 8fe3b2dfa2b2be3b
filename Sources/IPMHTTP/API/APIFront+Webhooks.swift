import Foundation
import Hummingbird
import IPMAPIModels
import IPMDomain

extension APIFront {
    /// A company's webhook deliveries: `GET /api/v1/companies/{id}/webhooks` (`failed`,
    /// `limit`) for its members, `POST …/webhooks/{deliveryID}/redeliver` for its admins.
    func registerWebhooks(on api: RouterGroup<WebRequestContext>) {
        api.get("/companies/:id/webhooks") { request, context in
            try await withCaller(request, changes: false) { caller in
                let query = request.uri.queryParameters
                let limit = query["limit"].map { Int(String($0)) } ?? 50
                guard let limit, (1...500).contains(limit) else { return Problem(.badRequest, "limit must be a whole number from 1 to 500").response }
                let failed: Bool
                switch query["failed"].map(String.init) {
                case nil, "false": failed = false
                case "true": failed = true
                default: return Problem(.badRequest, "failed must be true or false").response
                }
                let deliveries = try await web.webhooks.deliveries(of: try WebFront.companyReference(context), for: caller.admin, failedOnly: failed, limit: limit)
                return try json(WebhookDeliveryListJSON(deliveries: deliveries.map(WebhookDeliveryJSON.init)))
            }
        }
        api.post("/companies/:id/webhooks/:deliveryID/redeliver") { request, context in
            try await withCaller(request, changes: true) { caller in
                let reference = try WebFront.companyReference(context)
                let id = context.parameters.get("deliveryID").flatMap(AuditEventID.init)
                // Authorized first, so a viewer is refused whatever the id; then an unknown id is this company's 404.
                guard let id else {
                    _ = try await web.access.authorize(.redeliverWebhooks, reference, caller.admin)
                    return Problem(.notFound, "The company has no such webhook delivery.").response
                }
                guard let delivery = try await web.webhooks.redeliver(id, of: reference, by: caller.admin) else {
                    return Problem(.notFound, "The company has no such webhook delivery.").response
                }
                return try json(WebhookDeliveryJSON(delivery))
            }
        }
    }
}
