import Crypto
public import Foundation
public import IPMDomain

/// Sessions by the SHA-256 digest of their token.
public struct PostgresSessionRepository: SessionRepository {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    static func digest(_ token: Secret) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.value.utf8)))
    }

    public func create(_ session: AdminSession, token: Secret) async throws {
        try await client.withTransaction { connection in
            // Long-expired sessions go when new ones come.
            try connection.execute("DELETE FROM admin_sessions WHERE expires_at < \(session.createdAt.addingTimeInterval(-86_400))")
            try connection.execute(
                """
                INSERT INTO admin_sessions (id, admin_id, token_digest, kind, created_at, last_seen_at, expires_at, idle_timeout_seconds)
                VALUES (\(session.id.rawValue), \(session.adminID.rawValue), \(Self.digest(token)), \(session.kind.rawValue),
                        \(session.createdAt), \(session.lastSeenAt), \(session.expiresAt), \(session.idleTimeout))
                """)
        }
    }

    public func find(token: Secret) async throws -> AdminSession? {
        try await client.query(
            """
            SELECT id, admin_id, kind, created_at, last_seen_at, expires_at, idle_timeout_seconds
            FROM admin_sessions WHERE token_digest = \(Self.digest(token)) AND revoked_at IS NULL
            """
        ).first.map { row in
            guard let kind = AdminSession.Kind(rawValue: try row.decode("kind", as: String.self)) else { throw PostgresError.decodingFailed }
            return AdminSession(
                id: SessionID(try row.decode("id", as: UUID.self)), adminID: AdminID(try row.decode("admin_id", as: UUID.self)),
                kind: kind, createdAt: try row.decode("created_at", as: Date.self), lastSeenAt: try row.decode("last_seen_at", as: Date.self),
                expiresAt: try row.decode("expires_at", as: Date.self), idleTimeout: try row.decode("idle_timeout_seconds", as: Double.self)
            )
        }
    }

    public func touch(_ id: SessionID, at now: Date) async throws {
        try await client.execute("UPDATE admin_sessions SET last_seen_at = GREATEST(last_seen_at, \(now)) WHERE id = \(id.rawValue)")
    }

    public func revoke(_ id: SessionID) async throws {
        try await client.execute("UPDATE admin_sessions SET revoked_at = now() WHERE id = \(id.rawValue) AND revoked_at IS NULL")
    }

    public func revokeAll(of admin: AdminID) async throws {
        try await client.execute("UPDATE admin_sessions SET revoked_at = now() WHERE admin_id = \(admin.rawValue) AND revoked_at IS NULL")
    }
}

/// Sign-in attempts in PostgreSQL, shared by every instance. An attempt takes a transaction
/// advisory lock per key (in key order, so two attempts never deadlock), counts, and records
/// itself before the password is checked: attempts on one key are admitted one at a time.
public struct PostgresSignInThrottle: SignInThrottle {
    private let client: PostgresClient
    /// The first half of the two-part advisory lock keys; migrations lock a 64-bit key, a space of its own.
    private static let lockSpace: Int32 = 0x1F5_7401

    public init(client: PostgresClient) {
        self.client = client
    }

    public func admit(attempt: UUID, keys: [ThrottleKey], since: Date, at now: Date) async throws -> ThrottleCount? {
        guard !keys.isEmpty else { return nil }
        let ordered = keys.sorted { $0.key < $1.key }
        return try await client.withTransaction { connection -> ThrottleCount? in
            for key in ordered {
                try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockSpace), hashtext(\(key.key)))")
            }
            for key in ordered {
                let row = try connection.query(
                    """
                    SELECT count(*)::bigint AS n, min(failed_at) AS oldest FROM sign_in_failures
                    WHERE key = \(key.key) AND failed_at >= \(since)
                    """
                ).first
                let count = ThrottleCount(count: try row?.decode("n", as: Int.self) ?? 0, oldest: try row?.decode("oldest", as: Date?.self))
                if count.count >= key.limit { return count }
            }
            for key in ordered {
                try connection.execute("INSERT INTO sign_in_failures (key, failed_at, attempt_id) VALUES (\(key.key), \(now), \(attempt))")
            }
            // Failures older than a day no longer count for anything.
            try connection.execute("DELETE FROM sign_in_failures WHERE failed_at < \(now.addingTimeInterval(-86_400))")
            return nil
        }
    }

    public func forgive(attempt: UUID, clearing key: String?) async throws {
        try await client.withTransaction { connection in
            try connection.execute("DELETE FROM sign_in_failures WHERE attempt_id = \(attempt)")
            if let key { try connection.execute("DELETE FROM sign_in_failures WHERE key = \(key)") }
        }
    }
}
