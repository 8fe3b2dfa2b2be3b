import Foundation
import HTTPTypes
import Hummingbird
import IPMDomain

/// `POST /api/v1/sessions`.
struct SignInJSON: Decodable {
    let signInName: String
    let password: String
}

struct AccountJSON: Encodable, Sendable {
    let id: String
    let signInName: String
    let displayName: String
    let email: String?
    let createdAt: Date

    init(_ admin: Admin) {
        id = admin.id.description
        signInName = admin.signInName.value
        displayName = admin.displayName
        email = admin.email?.value
        createdAt = admin.createdAt
    }
}

struct SessionJSON: Encodable, Sendable {
    let id: String
    let kind: String
    let createdAt: Date
    let expiresAt: Date

    init(_ session: AdminSession) {
        id = session.id.description
        kind = session.kind.rawValue
        createdAt = session.createdAt
        expiresAt = session.expiresAt
    }
}

struct NewSessionJSON: Encodable, Sendable {
    let token: String
    let admin: AccountJSON
    let session: SessionJSON
}

struct MeJSON: Encodable, Sendable {
    let admin: AccountJSON
    /// Absent when the caller uses a personal API token.
    let session: SessionJSON?
    /// Where people reach the web pages (IPM_PUBLIC_URL): a terminal's opt-in sends the browser there.
    let publicURL: String
}

struct NotificationJSON: Encodable, Sendable {
    let id: String
    let companyID: String
    let companyName: String
    let kind: String
    let message: String
    let occurredAt: Date
    let read: Bool
    /// IPM's own start page, when the notification asks an admin to opt in again.
    let optInURL: String?

    init(_ notification: CompanyNotification, publicURL: URL) {
        id = notification.id.description
        companyID = notification.company.id.description
        companyName = notification.company.name.value
        kind = notification.kind.rawValue
        message = notification.message
        occurredAt = notification.occurredAt
        read = notification.isRead
        optInURL = notification.optInLink(publicURL: publicURL)?.absoluteString
    }
}

struct NotificationListJSON: Encodable, Sendable {
    let notifications: [NotificationJSON]
}

struct MarkedReadJSON: Encodable, Sendable {
    let marked: Int
}
