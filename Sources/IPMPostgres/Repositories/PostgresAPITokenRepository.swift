public import Foundation
public import IPMDomain

/// Personal API tokens by the SHA-256 digest of their secret.
public struct PostgresAPITokenRepository: APITokenRepository {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func create(_ token: APIToken, secret: Secret) async throws {
        try await client.execute(
            """
            INSERT INTO api_tokens (id, admin_id, name, token_digest, created_at, expires_at)
            VALUES (\(token.id.rawValue), \(token.adminID.rawValue), \(token.name), \(PostgresSessionRepository.digest(secret)), \(token.createdAt), \(token.expiresAt))
            """)
    }

    public func find(secret: Secret) async throws -> APIToken? {
        try await client.query(
            """
            SELECT id, admin_id, name, created_at, expires_at, last_used_at FROM api_tokens
            WHERE token_digest = \(PostgresSessionRepository.digest(secret)) AND revoked_at IS NULL
            """
        ).first.map(Self.token)
    }

    public func list(of admin: AdminID) async throws -> [APIToken] {
        try await client.query(
            """
            SELECT id, admin_id, name, created_at, expires_at, last_used_at FROM api_tokens
            WHERE admin_id = \(admin.rawValue) AND revoked_at IS NULL ORDER BY created_at DESC, id
            """
        ).map(Self.token)
    }

    public func revoke(_ id: APITokenID, of admin: AdminID) async throws -> Bool {
        try await client.query(
            """
            UPDATE api_tokens SET revoked_at = now()
            WHERE id = \(id.rawValue) AND admin_id = \(admin.rawValue) AND revoked_at IS NULL RETURNING id
            """
        ).count == 1
    }

    public func touch(_ id: APITokenID, at now: Date) async throws {
        try await client.execute("UPDATE api_tokens SET last_used_at = GREATEST(coalesce(last_used_at, \(now)), \(now)) WHERE id = \(id.rawValue)")
    }

    private static func token(_ row: PostgresRow) throws -> APIToken {
        APIToken(
            id: APITokenID(try row.decode("id", as: UUID.self)), adminID: AdminID(try row.decode("admin_id", as: UUID.self)),
            name: try row.decode("name", as: String.self), createdAt: try row.decode("created_at", as: Date.self),
            expiresAt: try row.decode("expires_at", as: Date.self), lastUsedAt: try row.decode("last_used_at", as: Date?.self)
        )
    }
}
