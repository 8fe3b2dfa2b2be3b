import Foundation
import Hummingbird
import IPMDomain

/// Notifications: what happened to the UPS connections of the admin's companies (opt-in,
/// opt-out, re-authorization required), newest first, for admins and viewers alike;
/// "Mark all as read" is a CSRF-protected form.
struct NotificationPages: Sendable {
    let notifications: NotificationService
    let pages: Pages

    /// The most notifications the page lists, and counts in the header.
    static let shown = 100

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/notifications") { _, context -> Response in
            let signedIn = try context.requireAdmin()
            let list = try await notifications.list(for: signedIn.admin, unreadOnly: false, limit: Self.shown)
            return pages.render(
                "notifications", title: "Notifications",
                [
                    "csrf": signedIn.csrf, "hasNotifications": !list.isEmpty, "hasUnread": list.contains { !$0.isRead },
                    "notifications": list.map { notification -> [String: Any] in
                        var values: [String: Any] = [
                            "when": Pages.display(notification.occurredAt), "companyID": notification.company.id.description,
                            "company": notification.company.name.value, "title": Self.headline(notification.kind),
                            "message": notification.message, "unread": !notification.isRead,
                        ]
                        if notification.kind.asksToOptIn { values["optInLink"] = "\(OptInLink.path)?company=\(notification.company.id)" }
                        return values
                    },
                ], signedIn: signedIn)
        }

        group.post("/notifications/read") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            guard try await PostedForm.read(request, context: context, by: signedIn) != nil else {
                return pages.formExpired(signedIn, back: "/notifications")
            }
            try await notifications.markAllRead(by: signedIn.admin)
            return .redirect("/notifications")
        }
    }

    /// The header's count: unread notifications, "99+" beyond that, nil when there are none.
    static func unreadCount(for admin: Admin, in notifications: NotificationService) async throws -> String? {
        let unread = try await notifications.unreadCount(for: admin, upTo: shown)
        if unread == 0 { return nil }
        return unread >= shown ? "\(shown - 1)+" : "\(unread)"
    }

    /// What happened, in the words of the seed.
    static func headline(_ kind: CompanyNotification.Kind) -> String {
        switch kind {
        case .optedIn: "Authenticated with UPS OAuth"
        case .optedOut: "Opted out of UPS Online Tools (OAuth)"
        case .reauthorizationRequired: "Re-authorization required"
        case .refreshFailing: "UPS token refresh failing"
        case .recovered: "UPS connection recovered"
        case .blocked: "Blocked by UPS"
        case .refreshTokenExpiring: "UPS authorization expiring"
        }
    }
}
