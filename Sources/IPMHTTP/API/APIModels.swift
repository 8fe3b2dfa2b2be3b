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
