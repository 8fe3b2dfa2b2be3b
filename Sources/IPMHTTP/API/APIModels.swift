import Foundation
import IPMDomain

/// A company as the JSON API shows it.
struct CompanyJSON: Encodable, Sendable {
    let id: String
    let name: String
    let createdAt: Date
    let role: String
    let status: String
    let statusTitle: String
    let reauthorizationReason: String?
    let authorizedAt: Date?
    let accessTokenExpiresAt: Date?
    let refreshTokenExpiresAt: Date?
    /// When the UPS connection last changed.
    let updatedAt: Date?
    /// An opt-in waiting for UPS or one that never came back; only on one company's status.
    let optIn: OptInAttemptJSON?

    init(_ overview: CompanyOverview) {
        id = overview.company.id.description
        name = overview.company.name.value
        createdAt = overview.company.createdAt
        role = overview.role.rawValue
        status = overview.connection.status.rawValue
        statusTitle = overview.connection.status.title
        reauthorizationReason = overview.connection.status == .reauthorizationRequired ? overview.connection.reauthorizationMessage : nil
        authorizedAt = overview.connection.status == .authenticated ? overview.connection.authorizedAt : nil
        accessTokenExpiresAt = overview.connection.accessTokenExpiresAt
        refreshTokenExpiresAt = overview.connection.refreshTokenExpiresAt
        updatedAt = overview.connection.updatedAt
        optIn = overview.optIn.map(OptInAttemptJSON.init)
    }
}

struct OptInAttemptJSON: Encodable, Sendable {
    /// `waiting` or `expired`.
    let state: String
    let startedAt: Date
    let startedBy: String
    let expiresAt: Date
    let message: String

    init(_ attempt: OptInAttempt) {
        state = attempt.state.rawValue
        startedAt = attempt.startedAt
        startedBy = attempt.startedBy
        expiresAt = attempt.expiresAt
        message = attempt.message
    }
}

struct CompanyListJSON: Encodable, Sendable {
    let companies: [CompanyJSON]
}

struct OptInStartJSON: Encodable, Sendable {
    let authorizationURL: String
    let expiresAt: Date
}

struct AuditEventJSON: Encodable, Sendable {
    let id: String
    let occurredAt: Date
    let actor: String
    let action: String
    let title: String
    let detail: String

    init(_ event: AuditEvent) {
        id = event.id.description
        occurredAt = event.occurredAt
        actor = event.actor.description
        action = event.action.rawValue
        title = event.action.title
        detail = event.detail
    }
}

struct AuditEventPageJSON: Encodable, Sendable {
    let events: [AuditEventJSON]
    /// Pass as `before` for the next (older) page; absent on the last page.
    let next: String?
}
