import Foundation
import IPMAPIModels
import IPMConsole
import IPMDomain

// The API's models as the client reads them: each turned into the domain values a console
// shows, or one line saying the server sent something this ipm does not understand.

extension AccountJSON {
    func admin() throws -> Admin {
        guard let id = AdminID(id) else { throw ConsoleFailure.failed("the server sent an admin id that is not a UUID") }
        return Admin(
            id: id, signInName: try SignInName(signInName), displayName: displayName,
            email: try email.map { try EmailAddress($0) }, createdAt: createdAt
        )
    }
}

extension SessionJSON {
    var period: SessionPeriod { SessionPeriod(createdAt: createdAt, expiresAt: expiresAt) }
}

extension CompanyJSON {
    func overview() throws -> CompanyOverview {
        guard let id = CompanyID(id), let role = Role(rawValue: role), let status = ConnectionStatus(rawValue: status) else {
            throw ConsoleFailure.failed("the server sent a company this ipm does not understand (id, role or status)")
        }
        let connection = UPSConnection(
            companyID: id, status: status, authorizedAt: authorizedAt, accessTokenExpiresAt: accessTokenExpiresAt,
            refreshTokenExpiresAt: refreshTokenExpiresAt, reauthorizationMessage: reauthorizationReason, updatedAt: updatedAt,
            refreshHealth: RefreshHealth(consecutiveFailures: consecutiveFailures, nextAttemptAt: nextAttemptAt, lastError: lastError),
            lastRefreshedAt: lastRefreshedAt, blockedReason: blockedReason, blockedAt: blockedAt
        )
        return CompanyOverview(
            company: Company(id: id, name: try CompanyName(name), createdAt: createdAt), role: role, connection: connection,
            optIn: optIn?.attempt
        )
    }
}

extension OptInAttemptJSON {
    /// `nil` for a state this ipm does not know: it is only shown, never acted on.
    var attempt: OptInAttempt? {
        OptInAttempt.State(rawValue: state).map { OptInAttempt(startedAt: startedAt, startedBy: startedBy, expiresAt: expiresAt, state: $0) }
    }
}

extension AuditEventJSON {
    func entry() throws -> ActivityEntry {
        guard let id = AuditEventID(id), let action = AuditAction(rawValue: action) else {
            throw ConsoleFailure.failed("the server sent an event this ipm does not understand (id or action '\(action.printable)')")
        }
        return ActivityEntry(id: id, occurredAt: occurredAt, action: action, actor: actor, detail: detail)
    }
}

extension NotificationJSON {
    func entry() throws -> NotificationEntry {
        guard let id = AuditEventID(id), let companyID = CompanyID(companyID), let kind = CompanyNotification.Kind(rawValue: kind) else {
            throw ConsoleFailure.failed("the server sent a notification this ipm does not understand (id or kind '\(kind.printable)')")
        }
        return NotificationEntry(
            id: id, companyID: companyID, companyName: companyName, kind: kind, message: message, occurredAt: occurredAt, isRead: read)
    }
}
