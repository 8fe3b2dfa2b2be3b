import Foundation
import IPMCLI
import IPMConsole
import IPMDomain

// The JSON the CLI sends to and reads from the API (IPMHTTP's API models, seen from the
// client), each turned into the domain values the commands print.

struct SignInBody: Encodable, Sendable {
    let signInName: String
    let password: String
}

struct PasteBody: Encodable, Sendable {
    let redirectedURL: String
}

struct AccountBody: Decodable {
    let id: String
    let signInName: String
    let displayName: String
    let email: String?
    let createdAt: Date

    func admin() throws -> Admin {
        guard let id = AdminID(id) else { throw ConsoleFailure.failed("the server sent an admin id that is not a UUID") }
        return Admin(
            id: id, signInName: try SignInName(signInName), displayName: displayName,
            email: try email.map { try EmailAddress($0) }, createdAt: createdAt
        )
    }
}

struct SessionBody: Decodable {
    let createdAt: Date
    let expiresAt: Date

    var period: SessionPeriod { SessionPeriod(createdAt: createdAt, expiresAt: expiresAt) }
}

struct NewSessionBody: Decodable {
    let token: String
    let admin: AccountBody
    let session: SessionBody
}

struct MeBody: Decodable {
    let admin: AccountBody
    let session: SessionBody?
    let publicURL: String
}

struct CompanyBody: Decodable {
    let id: String
    let name: String
    let createdAt: Date
    let role: String
    let status: String
    let reauthorizationReason: String?
    let authorizedAt: Date?
    let accessTokenExpiresAt: Date?
    let refreshTokenExpiresAt: Date?
    let updatedAt: Date?
    // Health (absent from servers older than these fields).
    let blockedReason: String?
    let blockedAt: Date?
    let lastRefreshedAt: Date?
    let consecutiveFailures: Int?
    let lastError: String?
    let nextAttemptAt: Date?
    let optIn: OptInAttemptBody?

    func overview() throws -> CompanyOverview {
        guard let id = CompanyID(id), let role = Role(rawValue: role), let status = ConnectionStatus(rawValue: status) else {
            throw ConsoleFailure.failed("the server sent a company this ipm does not understand (id, role or status)")
        }
        let connection = UPSConnection(
            companyID: id, status: status, authorizedAt: authorizedAt, accessTokenExpiresAt: accessTokenExpiresAt,
            refreshTokenExpiresAt: refreshTokenExpiresAt, reauthorizationMessage: reauthorizationReason, updatedAt: updatedAt,
            refreshHealth: RefreshHealth(consecutiveFailures: consecutiveFailures ?? 0, nextAttemptAt: nextAttemptAt, lastError: lastError),
            lastRefreshedAt: lastRefreshedAt, blockedReason: blockedReason, blockedAt: blockedAt
        )
        return CompanyOverview(
            company: Company(id: id, name: try CompanyName(name), createdAt: createdAt), role: role, connection: connection,
            optIn: optIn?.attempt
        )
    }
}

struct OptInAttemptBody: Decodable {
    let state: String
    let startedAt: Date
    let startedBy: String
    let expiresAt: Date

    /// `nil` for a state this ipm does not know: it is only shown, never acted on.
    var attempt: OptInAttempt? {
        OptInAttempt.State(rawValue: state).map { OptInAttempt(startedAt: startedAt, startedBy: startedBy, expiresAt: expiresAt, state: $0) }
    }
}

struct CompanyListBody: Decodable {
    let companies: [CompanyBody]
}

struct EventBody: Decodable {
    let id: String
    let occurredAt: Date
    let actor: String
    let action: String
    let detail: String

    func entry() throws -> ActivityEntry {
        guard let id = AuditEventID(id), let action = AuditAction(rawValue: action) else {
            throw ConsoleFailure.failed("the server sent an event this ipm does not understand (id or action '\(action.printable)')")
        }
        return ActivityEntry(id: id, occurredAt: occurredAt, action: action, actor: actor, detail: detail)
    }
}

struct EventPageBody: Decodable {
    let events: [EventBody]
    let next: String?
}

struct OptInStartBody: Decodable {
    let authorizationURL: String
    let expiresAt: Date
}

struct NotificationBody: Decodable {
    let id: String
    let companyID: String
    let companyName: String
    let kind: String
    let message: String
    let occurredAt: Date
    let read: Bool

    func entry() throws -> NotificationEntry {
        guard let id = AuditEventID(id), let companyID = CompanyID(companyID), let kind = CompanyNotification.Kind(rawValue: kind) else {
            throw ConsoleFailure.failed("the server sent a notification this ipm does not understand (id or kind '\(kind.printable)')")
        }
        return NotificationEntry(id: id, companyID: companyID, companyName: companyName, kind: kind, message: message, occurredAt: occurredAt, isRead: read)
    }
}

struct NotificationListBody: Decodable {
    let notifications: [NotificationBody]
}

struct MarkedBody: Decodable {
    let marked: Int
}
