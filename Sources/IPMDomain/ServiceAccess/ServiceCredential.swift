public import Foundation

/// Identifies one service credential.
public typealias ServiceCredentialID = Identifier<ServiceCredential>

/// What a service credential lets a program of the deployment do.
public enum ServiceScope: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// `GET /api/v1/companies/{id}/ups/access-token`: read a company's valid UPS access token.
    case accessToken = "access-token"
    /// `/api/v1/companies/{id}/ups/proxy/…`: call UPS with the company's token injected.
    case proxy

    public init(parsing text: String) throws(DomainError) {
        guard let scope = ServiceScope(rawValue: text.lowercased()) else {
            throw .invalidInput(
                field: "scope", "must be one of: \(ServiceScope.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(text.printable)')")
        }
        self = scope
    }

    public static func < (lhs: ServiceScope, rhs: ServiceScope) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A credential for the deployment's other services (not a person): a name, scopes, and a
/// secret shown once at creation and stored only as a digest.
public struct ServiceCredential: Sendable, Hashable, Identifiable {
    public let id: ServiceCredentialID
    public let name: String
    public let scopes: Set<ServiceScope>
    public let createdAt: Date
    public let createdBy: String
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public init(
        id: ServiceCredentialID = ServiceCredentialID(), name: String, scopes: Set<ServiceScope>, createdAt: Date, createdBy: String,
        lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }

    /// Names are for people reading lists: short, printable, unique.
    public static func validatedName(_ raw: String) throws(DomainError) -> String {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 64 else { throw .invalidInput(field: "name", "must be 1 to 64 characters") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), name.unicodeScalars.allSatisfy(\.isASCII) else {
            throw .invalidInput(field: "name", "may hold letters, digits, '-', '_' and '.' only (got '\(name.printable)')")
        }
        return name
    }

    /// The prefix every service token starts with, so a leaked one is recognisable.
    public static let tokenPrefix = "ipm_svc_"
}

/// Service credentials, stored by the digest of their token.
public protocol ServiceCredentialRepository: Sendable {
    /// `alreadyExists` when the name is taken (case-insensitively) by a credential not revoked.
    func create(_ credential: ServiceCredential, token: Secret) async throws
    func list() async throws -> [ServiceCredential]
    /// Revokes the live credential of that name; `notFound` when there is none.
    func revoke(name: String, at now: Date) async throws -> ServiceCredential
    /// The live credential whose token this is; marks it used (at most once a minute).
    func authenticate(_ token: Secret, at now: Date) async throws -> ServiceCredential?
}

/// Creating, listing, revoking and checking service credentials (operator commands and the token API).
public struct ServiceCredentials: Sendable {
    private let repository: any ServiceCredentialRepository
    private let clock: any Clock
    private let random: any RandomSource

    public init(repository: any ServiceCredentialRepository, clock: any Clock, random: any RandomSource) {
        self.repository = repository
        self.clock = clock
        self.random = random
    }

    /// A new credential and its token, which is never shown again.
    public func create(name: String, scopes: Set<ServiceScope>, by creator: String) async throws -> (ServiceCredential, Secret) {
        guard !scopes.isEmpty else { throw DomainError.invalidInput(field: "scope", "at least one is needed (access-token or proxy)") }
        let credential = ServiceCredential(
            name: try ServiceCredential.validatedName(name), scopes: scopes, createdAt: clock.now(), createdBy: creator)
        let token = Secret(ServiceCredential.tokenPrefix + Base64URL.encode(random.bytes(32)))
        try await repository.create(credential, token: token)
        return (credential, token)
    }

    public func list() async throws -> [ServiceCredential] {
        try await repository.list()
    }

    public func revoke(name: String) async throws -> ServiceCredential {
        try await repository.revoke(name: try ServiceCredential.validatedName(name), at: clock.now())
    }

    /// The credential when the token is live and carries `scope`, else `nil`.
    public func authorize(_ token: Secret, for scope: ServiceScope) async throws -> ServiceCredential? {
        guard let credential = try await authenticate(token), credential.scopes.contains(scope) else { return nil }
        return credential
    }

    /// The live credential behind the token, whatever its scopes (so a front can tell
    /// "who are you?" from "not allowed"); `nil` when it is unknown or revoked.
    public func authenticate(_ token: Secret) async throws -> ServiceCredential? {
        guard token.value.hasPrefix(ServiceCredential.tokenPrefix) else { return nil }
        return try await repository.authenticate(token, at: clock.now())
    }
}
