public import Foundation

/// Identifies one personal API token.
public typealias APITokenID = Identifier<APIToken>

/// A personal API token of an admin, for programs calling the JSON API. The token itself is
/// shown once when created; storage keeps its digest. It stops working at `expiresAt`, when
/// revoked, and when its admin's password changes or the admin is disabled.
public struct APIToken: Sendable, Hashable, Identifiable {
    public let id: APITokenID
    public let adminID: AdminID
    public let name: String
    public let createdAt: Date
    public let expiresAt: Date
    public let lastUsedAt: Date?

    public init(id: APITokenID = APITokenID(), adminID: AdminID, name: String, createdAt: Date, expiresAt: Date, lastUsedAt: Date? = nil) {
        self.id = id
        self.adminID = adminID
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    /// Every token starts so, which tells it from a session token and lets secret scanners find it.
    public static let prefix = "ipm_pat_"

    public func isExpired(at now: Date) -> Bool { now >= expiresAt }

    /// The binding of opt-ins started with this token (completed by pasting the redirected URL).
    public var optInBinding: SessionBinding { SessionBinding(Secret("api-token:\(id)")) }
}

/// How long new personal API tokens live: `IPM_API_TOKEN_DAYS` unless the admin chooses,
/// never more than `IPM_API_TOKEN_MAX_DAYS`.
public struct APITokenLifetimes: Sendable, Hashable {
    public let defaultDays: Int
    public let maximumDays: Int

    /// `defaultDays` is clamped into 1…`maximumDays`.
    public init(defaultDays: Int = 90, maximumDays: Int = 365) {
        self.maximumDays = max(1, maximumDays)
        self.defaultDays = min(max(1, defaultDays), self.maximumDays)
    }
}

/// A new token and its secret, shown once.
public struct IssuedAPIToken: Sendable {
    public let token: APIToken
    public let secret: Secret
}

/// Personal API tokens, stored by the digest of their secret.
public protocol APITokenRepository: Sendable {
    func create(_ token: APIToken, secret: Secret) async throws
    /// The unrevoked token with this secret (expired or not: the service decides).
    func find(secret: Secret) async throws -> APIToken?
    /// The admin's unrevoked tokens, newest first, expired ones included.
    func list(of admin: AdminID) async throws -> [APIToken]
    /// `false` when the admin has no such unrevoked token.
    func revoke(_ id: APITokenID, of admin: AdminID) async throws -> Bool
    func touch(_ id: APITokenID, at now: Date) async throws
}

/// Creating, listing, revoking and recognising personal API tokens.
public struct APITokenService: Sendable {
    private let tokens: any APITokenRepository
    private let admins: any AdminRepository
    private let clock: any Clock
    private let random: any RandomSource
    public let lifetimes: APITokenLifetimes

    public init(
        tokens: any APITokenRepository, admins: any AdminRepository, clock: any Clock, random: any RandomSource,
        lifetimes: APITokenLifetimes = APITokenLifetimes()
    ) {
        self.tokens = tokens
        self.admins = admins
        self.clock = clock
        self.random = random
        self.lifetimes = lifetimes
    }

    /// A new token living `days` days (`nil`: the configured default), at most the maximum.
    public func create(named raw: String, days: Int? = nil, for admin: Admin) async throws -> IssuedAPIToken {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        let name = raw.trimmingWhitespace()
        guard (1...100).contains(name.count) else { throw DomainError.invalidInput(field: "name", "must be 1 to 100 characters") }
        let days = days ?? lifetimes.defaultDays
        guard (1...lifetimes.maximumDays).contains(days) else {
            throw DomainError.invalidInput(field: "lifetime", "must be 1 to \(lifetimes.maximumDays) days")
        }
        let now = clock.now()
        let token = APIToken(adminID: admin.id, name: name, createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(days) * 86_400))
        let secret = Secret(APIToken.prefix + Base64URL.encode(random.bytes(32)))
        try await tokens.create(token, secret: secret)
        return IssuedAPIToken(token: token, secret: secret)
    }

    public func list(for admin: Admin) async throws -> [APIToken] {
        try await tokens.list(of: admin.id)
    }

    public func revoke(_ id: APITokenID, by admin: Admin) async throws {
        guard try await tokens.revoke(id, of: admin.id) else { throw DomainError.notFound("API token", id.description) }
    }

    /// The token's admin, or `nil` (unknown, revoked, expired, or the admin disabled). Marks
    /// it used at most once a minute, so a busy program does not write on every request.
    public func resolve(_ secret: Secret) async throws -> (token: APIToken, admin: Admin)? {
        guard secret.value.hasPrefix(APIToken.prefix), let token = try await tokens.find(secret: secret) else { return nil }
        let now = clock.now()
        guard !token.isExpired(at: now) else { return nil }
        guard let admin = try await admins.find(id: token.adminID), !admin.isDisabled else { return nil }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await tokens.touch(token.id, at: now)
        }
        return (token, admin)
    }
}
