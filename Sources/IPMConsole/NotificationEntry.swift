public import Foundation
public import IPMDomain

/// One notification as a console shows it.
public struct NotificationEntry: Sendable, Hashable {
    public let id: AuditEventID
    public let companyID: CompanyID
    public let companyName: String
    public let kind: CompanyNotification.Kind
    public let message: String
    public let occurredAt: Date
    public let isRead: Bool

    public init(
        id: AuditEventID, companyID: CompanyID, companyName: String, kind: CompanyNotification.Kind, message: String, occurredAt: Date, isRead: Bool
    ) {
        self.id = id
        self.companyID = companyID
        self.companyName = companyName
        self.kind = kind
        self.message = message
        self.occurredAt = occurredAt
        self.isRead = isRead
    }

    public init(_ notification: CompanyNotification) {
        self.init(
            id: notification.id, companyID: notification.company.id, companyName: notification.company.name.value,
            kind: notification.kind, message: notification.message, occurredAt: notification.occurredAt, isRead: notification.isRead
        )
    }
}
