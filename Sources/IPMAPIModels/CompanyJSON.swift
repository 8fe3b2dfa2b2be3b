public import Foundation
public import IPMDomain

/// A company as the JSON API shows it (`GET /api/v1/companies/{id}`, `ipm companies --json`).
public struct CompanyJSON: Codable, Sendable, Hashable {
    public let id: String
    public let name: String
    public let createdAt: Date
    public let role: String
    public let status: String
    public let statusTitle: String
    /// Why re-authorization is required; only while it is.
    public let reauthorizationReason: String?
    public let authorizedAt: Date?
    public let accessTokenExpiresAt: Date?
    public let refreshTokenExpiresAt: Date?
    /// When the UPS connection last changed.
    public let updatedAt: Date?
    /// Set while blocked by UPS (403 "Blocked Merchant"): what UPS said, in plain words.
    public let blockedReason: String?
    public let blockedAt: Date?
    /// Health: the last successful refresh, the failures since, the last error, the next attempt.
    public let lastRefreshedAt: Date?
    public let consecutiveFailures: Int
    public let lastError: String?
    public let nextAttemptAt: Date?
    /// Blocked, or at least one refresh failed since the last success.
    public let failing: Bool
    /// IPM's own start page to opt in again, while re-authorization is required.
    public let optInURL: String?
    /// An opt-in waiting for UPS or one that never came back; only on one company's status.
    public let optIn: OptInAttemptJSON?

    public init(
        id: String, name: String, createdAt: Date, role: String, status: String, statusTitle: String, reauthorizationReason: String?,
        authorizedAt: Date?, accessTokenExpiresAt: Date?, refreshTokenExpiresAt: Date?, updatedAt: Date?, blockedReason: String?,
        blockedAt: Date?, lastRefreshedAt: Date?, consecutiveFailures: Int, lastError: String?, nextAttemptAt: Date?, failing: Bool,
        optInURL: String?, optIn: OptInAttemptJSON?
    ) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.role = role
        self.status = status
        self.statusTitle = statusTitle
        self.reauthorizationReason = reauthorizationReason
        self.authorizedAt = authorizedAt
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.updatedAt = updatedAt
        self.blockedReason = blockedReason
        self.blockedAt = blockedAt
        self.lastRefreshedAt = lastRefreshedAt
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.failing = failing
        self.optInURL = optInURL
        self.optIn = optIn
    }

    public init(_ overview: CompanyOverview, publicURL: URL) {
        let connection = overview.connection
        let reauthorizing = connection.status == .reauthorizationRequired
        let blocked = connection.status == .blocked
        self.init(
            id: overview.company.id.description, name: overview.company.name.value, createdAt: overview.company.createdAt,
            role: overview.role.rawValue, status: connection.status.rawValue, statusTitle: connection.status.title,
            reauthorizationReason: reauthorizing ? connection.reauthorizationMessage : nil,
            authorizedAt: connection.holdsTokens ? connection.authorizedAt : nil,
            accessTokenExpiresAt: connection.accessTokenExpiresAt, refreshTokenExpiresAt: connection.refreshTokenExpiresAt,
            updatedAt: connection.updatedAt, blockedReason: blocked ? connection.blockedReason : nil, blockedAt: blocked ? connection.blockedAt : nil,
            lastRefreshedAt: connection.lastRefreshedAt, consecutiveFailures: connection.refreshHealth.consecutiveFailures,
            lastError: connection.refreshHealth.lastError, nextAttemptAt: connection.holdsTokens ? connection.refreshHealth.nextAttemptAt : nil,
            failing: connection.isFailing,
            optInURL: reauthorizing ? OptInLink.url(publicURL: publicURL, company: overview.company.id).absoluteString : nil,
            optIn: overview.optIn.map(OptInAttemptJSON.init)
        )
    }
}

/// An opt-in waiting for UPS (`waiting`) or one that never came back (`expired`).
public struct OptInAttemptJSON: Codable, Sendable, Hashable {
    public let state: String
    public let startedAt: Date
    public let startedBy: String
    public let expiresAt: Date
    public let message: String

    public init(state: String, startedAt: Date, startedBy: String, expiresAt: Date, message: String) {
        self.state = state
        self.startedAt = startedAt
        self.startedBy = startedBy
        self.expiresAt = expiresAt
        self.message = message
    }

    public init(_ attempt: OptInAttempt) {
        self.init(
            state: attempt.state.rawValue, startedAt: attempt.startedAt, startedBy: attempt.startedBy, expiresAt: attempt.expiresAt,
            message: attempt.message)
    }
}

/// `GET /api/v1/companies`.
public struct CompanyListJSON: Codable, Sendable, Hashable {
    public let companies: [CompanyJSON]

    public init(companies: [CompanyJSON]) {
        self.companies = companies
    }
}

/// `POST /api/v1/companies/{id}/opt-in`: where to send the browser, and until when.
public struct OptInStartJSON: Codable, Sendable, Hashable {
    public let authorizationURL: String
    public let expiresAt: Date

    public init(authorizationURL: String, expiresAt: Date) {
        self.authorizationURL = authorizationURL
        self.expiresAt = expiresAt
    }
}

/// `POST /api/v1/oauth/complete`: the address the browser was sent back to (`--paste`).
public struct PasteJSON: Codable, Sendable, Hashable {
    public let redirectedURL: String

    public init(redirectedURL: String) {
        self.redirectedURL = redirectedURL
    }
}
