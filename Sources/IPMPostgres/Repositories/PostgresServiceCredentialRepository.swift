import Crypto
public import Foundation
public import IPMDomain

/// Service credentials by the SHA-256 digest of their token.
public struct PostgresServiceCredentialRepository: ServiceCredentialRepository {
    private let client: PostgresClient
    private let cache: ServiceCredentialCache?

    /// With a `cacheLifetime`, a live credential is remembered that long after it was read
    /// (`IPM_SERVICE_TOKEN_CACHE`): a revocation reaches other instances within it.
    public init(client: PostgresClient, cacheLifetime: Duration = .zero) {
        self.client = client
        self.cache = cacheLifetime > .zero ? ServiceCredentialCache(lifetime: cacheLifetime) : nil
    }

    private static let columns = "id, name, array_to_string(scopes, ',') AS scopes, created_at, created_by, last_used_at, revoked_at"

    public func create(_ credential: ServiceCredential, token: Secret) async throws {
        let scopes = "{" + credential.scopes.sorted().map(\.rawValue).joined(separator: ",") + "}"
        do {
            try await client.execute(
                """
                INSERT INTO service_credentials (id, name, scopes, token_digest, created_at, created_by)
                VALUES (\(credential.id.rawValue), \(credential.name), \(scopes)::text[], \(PostgresSessionRepository.digest(token)),
                        \(credential.createdAt), \(credential.createdBy))
                """)
        } catch let error as PostgresError where error.constraint == "service_credentials_live_name_idx" {
            throw DomainError.alreadyExists("service credential", credential.name)
        }
    }

    public func list() async throws -> [ServiceCredential] {
        try await client.query("SELECT \(unescaped: Self.columns) FROM service_credentials ORDER BY lower(name), created_at")
            .map(Self.credential)
    }

    public func revoke(name: String, at now: Date) async throws -> ServiceCredential {
        let rows = try await client.query(
            """
            UPDATE service_credentials SET revoked_at = \(now)
            WHERE lower(name) = lower(\(name)) AND revoked_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """)
        guard let row = rows.first else { throw DomainError.notFound("service credential", name) }
        let revoked = try Self.credential(row)
        cache?.forget(revoked.id)
        return revoked
    }

    public func authenticate(_ token: Secret, at now: Date) async throws -> ServiceCredential? {
        let digest = PostgresSessionRepository.digest(token)
        if let cached = cache?.credential(digest: digest) { return cached }
        // One statement: find the live credential and note its use, at most once a minute.
        let rows = try await client.query(
            """
            WITH found AS (
                SELECT id FROM service_credentials
                WHERE token_digest = \(digest) AND revoked_at IS NULL
            ), touched AS (
                UPDATE service_credentials s SET last_used_at = \(now)
                FROM found WHERE s.id = found.id AND (s.last_used_at IS NULL OR s.last_used_at < \(now.addingTimeInterval(-60)))
            )
            SELECT \(unescaped: Self.columns) FROM service_credentials WHERE id IN (SELECT id FROM found)
            """)
        guard let credential = try rows.first.map(Self.credential) else { return nil }
        cache?.store(credential, digest: digest)
        return credential
    }

    private static func credential(_ row: PostgresRow) throws -> ServiceCredential {
        let scopes = try row.decode("scopes", as: String.self).split(separator: ",").compactMap { ServiceScope(rawValue: String($0)) }
        return ServiceCredential(
            id: ServiceCredentialID(try row.decode("id", as: UUID.self)), name: try row.decode("name", as: String.self),
            scopes: Set(scopes), createdAt: try row.decode("created_at", as: Date.self), createdBy: try row.decode("created_by", as: String.self),
            lastUsedAt: try row.decode("last_used_at", as: Date?.self), revokedAt: try row.decode("revoked_at", as: Date?.self)
        )
    }
}
