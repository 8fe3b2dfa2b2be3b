import Foundation
import Hummingbird
import IPMAPIModels
import IPMDomain

/// The caller's notifications through the API: the list (`unread`, `limit`), and marking
/// them all read.
struct NotificationsAPI: Sendable {
    let notifications: NotificationService
    let publicURL: URL

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/notifications") { request, context -> Response in
            let caller = try context.requireAdmin()
            let limit = try request.uri.limit()
            let unread = try request.uri.flag("unread") ?? false
            let list = try await notifications.list(for: caller.admin, unreadOnly: unread, limit: limit)
            return try .json(NotificationListJSON(notifications: list.map { NotificationJSON($0, publicURL: publicURL) }))
        }

        group.post("/notifications/read") { _, context -> Response in
            let caller = try context.requireAdmin()
            return try .json(MarkedReadJSON(marked: try await notifications.markAllRead(by: caller.admin)))
        }
    }
}
