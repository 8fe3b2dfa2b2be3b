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
    /// Set while blocked by UPS (403 "Blocked Merchant"): what UPS said, in plain words.
    let blockedReason: String?
    let blockedAt: Date?
    /// Health: the last successful refresh, the failures since, the last error, the next attempt.
    let lastRefreshedAt: Date?
    let consecutiveFailures: Int
    let lastError: String?
    let nextAttemptAt: Date?
    /// Blocked, or at least one refresh failed since the last success.
    let failing: Bool
    /// IPM's own start page to opt in again, while re-authorization is required.
    let optInURL: String?
    /// An opt-in waiting for UPS or one that never came back; only on one company's status.
    let optIn: OptInAttemptJSON?

    init(_ overview: CompanyOverview, publicURL: URL) {
        id = overview.company.id.description
        name = overview.company.name.value
        createdAt = overview.company.createdAt
        role = overview.role.rawValue
        status = overview.connection.status.rawValue
        statusTitle = overview.connection.status.title
        reauthorizationReason = overview.connection.status == .reauthorizationRequired ? overview.connection.reauthorizationMessage : nil
        authorizedAt = overview.connection.holdsTokens ? overview.connection.authorizedAt : nil
        accessTokenExpiresAt = overview.connection.accessTokenExpiresAt
        refreshTokenExpiresAt = overview.connection.refreshTokenExpiresAt
        updatedAt = overview.connection.updatedAt
        let connection = overview.connection
        blockedReason = connection.status == .blocked ? connection.blockedReason : nil
        blockedAt = connection.status == .blocked ? connection.blockedAt : nil
        lastRefreshedAt = connection.lastRefreshedAt
        consecutiveFailures = connection.refreshHealth.consecutiveFailures
        lastError = connection.refreshHealth.lastError
        nextAttemptAt = connection.holdsTokens ? connection.refreshHealth.nextAttemptAt : nil
        failing = connection.isFailing
        optInURL = connection.status == .reauthorizationRequired ? OptInLink.url(publicURL: publicURL, company: overview.company.id).absoluteString : nil
        optIn = overview.optIn.map(OptInAttemptJSON.init)
    }

    /// `?status=` of `GET /api/v1/companies`: connection statuses and `failing`, comma-separated
    /// or repeated; a company matches any of them. `nil` when a value is none of these.
    static func statusFilter(_ values: [Substring]) -> ((CompanyOverview) -> Bool)? {
        var statuses: Set<ConnectionStatus> = []
        var failing = false
        for value in values.flatMap({ $0.split(separator: ",") }) {
            let word = value.trimmingCharacters(in: .whitespaces)
            if word == "failing" {
                failing = true
            } else if let status = ConnectionStatus(rawValue: word) {
                statuses.insert(status)
            } else {
                return nil
            }
        }
        if statuses.isEmpty && !failing { return { _ in true } }
        return { statuses.contains($0.connection.status) || (failing && $0.connection.isFailing) }
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
