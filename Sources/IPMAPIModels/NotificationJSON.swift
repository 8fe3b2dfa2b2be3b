public import Foundation
public import IPMDomain

/// One of an admin's notifications (`GET /api/v1/notifications`, `ipm notifications --json`).
public struct NotificationJSON: Codable, Sendable, Hashable {
    public let id: String
    public let companyID: String
    public let companyName: String
    public let kind: String
    public let message: String
    public let occurredAt: Date
    public let read: Bool
    /// IPM's own start page, when the notification asks an admin to opt in again.
    public let optInURL: String?

    public init(id: String, companyID: String, companyName: String, kind: String, message: String, occurredAt: Date, read: Bool, optInURL: String?) {
        self.id = id
        self.companyID = companyID
        self.companyName = companyName
        self.kind = kind
        self.message = message
        self.occurredAt = occurredAt
        self.read = read
        self.optInURL = optInURL
    }

    public init(_ notification: CompanyNotification, publicURL: URL) {
        self.init(
            id: notification.id.description, companyID: notification.company.id.description, companyName: notification.company.name.value,
            kind: notification.kind.rawValue, message: notification.message, occurredAt: notification.occurredAt, read: notification.isRead,
            optInURL: notification.optInLink(publicURL: publicURL)?.absoluteString
        )
    }
}

public struct NotificationListJSON: Codable, Sendable, Hashable {
    public let notifications: [NotificationJSON]

    public init(notifications: [NotificationJSON]) {
        self.notifications = notifications
    }
}

/// `POST /api/v1/notifications/read`: how many were unread.
public struct MarkedReadJSON: Codable, Sendable, Hashable {
    public let marked: Int

    public init(marked: Int) {
        self.marked = marked
    }
}
