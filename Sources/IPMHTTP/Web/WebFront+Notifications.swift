import Foundation
import Hummingbird
import IPMDomain

extension WebFront {
    /// The most notifications the page lists, and counts in the header.
    static let notificationsShown = 100

    /// Notifications: what happened to the UPS connections of the admin's companies (opt-in,
    /// opt-out, re-authorization required), newest first, for admins and viewers alike;
    /// "Mark all as read" is a CSRF-protected form.
    func registerNotifications(on router: Router<WebRequestContext>) {
        router.get("/notifications") { request, _ -> Response in
            try await withAdmin(request) { signedIn in
                let list = try await notifications.list(for: signedIn.admin, unreadOnly: false, limit: Self.notificationsShown)
                return pages.render("notifications", title: "Notifications", [
                    "csrf": signedIn.csrf, "hasNotifications": !list.isEmpty, "hasUnread": list.contains { !$0.isRead },
                    "notifications": list.map { notification -> [String: Any] in
                        var values: [String: Any] = [
                            "when": Self.display(notification.occurredAt), "companyID": notification.company.id.description,
                            "company": notification.company.name.value, "title": Self.headline(notification.kind),
                            "message": notification.message, "unread": !notification.isRead,
                        ]
                        if notification.kind.asksToOptIn { values["optInLink"] = "\(OptInLink.path)?company=\(notification.company.id)" }
                        return values
                    },
                ], signedIn: signedIn)
            }
        }

        router.post("/notifications/read") { request, context -> Response in
            try await withAdmin(request, returnTo: "/notifications") { signedIn in
                guard try await postedForm(request, context: context, by: signedIn) != nil else {
                    return formExpired(signedIn, back: "/notifications")
                }
                try await notifications.markAllRead(by: signedIn.admin)
                return Self.redirect("/notifications")
            }
        }
    }

    /// The header's count: unread notifications, "99+" beyond that, nil when there are none.
    func unreadCount(for admin: Admin) async throws -> String? {
        let unread = try await notifications.unreadCount(for: admin, upTo: Self.notificationsShown)
        if unread == 0 { return nil }
        return unread >= Self.notificationsShown ? "\(Self.notificationsShown - 1)+" : "\(unread)"
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
