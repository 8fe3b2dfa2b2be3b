public import Foundation
public import IPMDomain

/// `POST /api/v1/api-tokens`.
public struct NewAPITokenJSON: Codable, Sendable, Hashable {
    public let name: String
    /// Days until it expires; absent: `IPM_API_TOKEN_DAYS`.
    public let days: Int?

    public init(name: String, days: Int?) {
        self.name = name
        self.days = days
    }
}

public struct APITokenJSON: Codable, Sendable, Hashable {
    public let id: String
    public let name: String
    public let createdAt: Date
    public let expiresAt: Date
    public let lastUsedAt: Date?
    public let expired: Bool

    public init(id: String, name: String, createdAt: Date, expiresAt: Date, lastUsedAt: Date?, expired: Bool) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.expired = expired
    }

    public init(_ token: APIToken) {
        self.init(token, at: Date())
    }

    public init(_ token: APIToken, at now: Date) {
        self.init(
            id: token.id.description, name: token.name, createdAt: token.createdAt, expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt,
            expired: token.isExpired(at: now))
    }
}

public struct APITokenListJSON: Codable, Sendable, Hashable {
    public let tokens: [APITokenJSON]
    public let defaultDays: Int
    public let maxDays: Int

    public init(tokens: [APITokenJSON], defaultDays: Int, maxDays: Int) {
        self.tokens = tokens
        self.defaultDays = defaultDays
        self.maxDays = maxDays
    }
}

public struct IssuedAPITokenJSON: Codable, Sendable, Hashable {
    /// The secret, shown once.
    public let token: String
    public let apiToken: APITokenJSON

    public init(token: String, apiToken: APITokenJSON) {
        self.token = token
        self.apiToken = apiToken
    }
}
