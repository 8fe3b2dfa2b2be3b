public import Foundation
public import IPMDomain

public struct PostgresAuthorizationRequestRepository: AuthorizationRequestRepository {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func insert(_ request: AuthorizationRequest, purgingExpiredBefore purgeBefore: Date) async throws {
        try await client.withTransaction { connection in
            try connection.execute("DELETE FROM ups_authorization_requests WHERE expires_at < \(purgeBefore)")
            try connection.execute(
                """
                INSERT INTO ups_authorization_requests
                    (id, company_id, admin_id, session_digest, state_digest, code_verifier_sealed, key_id, created_at, expires_at)
                VALUES (\(request.id.rawValue), \(request.companyID.rawValue), \(request.adminID.rawValue),
                        \(request.sessionDigest), \(request.stateDigest), \(request.codeVerifier?.ciphertext),
                        \(request.codeVerifier?.keyID), \(request.createdAt), \(request.expiresAt))
                """)
        }
    }

    public func consume(
        stateDigest: [UInt8], at now: Date, check: @escaping @Sendable (AuthorizationRequest) throws -> Void
    ) async throws -> AuthorizationRequest? {
        try await client.withTransaction { connection in
            let rows = try connection.query(
                """
                SELECT \(unescaped: AuthorizationRequest.columns) FROM ups_authorization_requests r
                WHERE r.state_digest = \(stateDigest) FOR UPDATE
                """)
            guard let row = rows.first else { return nil }
            let request = try AuthorizationRequest(row: row)
            try check(request)
            // The verifier is needed once more, by the caller, for the exchange; the database forgets it.
            try connection.execute(
                """
                UPDATE ups_authorization_requests SET consumed_at = \(now), code_verifier_sealed = NULL, key_id = NULL
                WHERE id = \(request.id.rawValue)
                """)
            return request
        }
    }
}

extension PostgresAuthorizationRequestRepository {
    public func latest(for company: CompanyID) async throws -> (request: AuthorizationRequest, startedBy: String)? {
        try await client.query(
            """
            SELECT \(unescaped: AuthorizationRequest.columns), a.sign_in_name
            FROM ups_authorization_requests r JOIN admins a ON a.id = r.admin_id
            WHERE r.company_id = \(company.rawValue)
            ORDER BY r.created_at DESC, r.id DESC LIMIT 1
            """
        ).first.map { (try AuthorizationRequest(row: $0), try $0.decode("sign_in_name", as: String.self)) }
    }
}

extension AuthorizationRequest {
    static let columns = """
        r.id, r.company_id, r.admin_id, r.session_digest, r.state_digest, r.code_verifier_sealed, r.key_id,
        r.created_at, r.expires_at, r.consumed_at
        """

    init(row: PostgresRow) throws {
        var verifier: SealedSecret?
        if let keyID = try row.decode("key_id", as: String?.self), let sealed = try row.decode("code_verifier_sealed", as: [UInt8]?.self) {
            verifier = SealedSecret(keyID: keyID, ciphertext: sealed)
        }
        self.init(
            id: AuthorizationRequestID(try row.decode("id", as: UUID.self)),
            companyID: CompanyID(try row.decode("company_id", as: UUID.self)),
            adminID: AdminID(try row.decode("admin_id", as: UUID.self)),
            sessionDigest: try row.decode("session_digest", as: [UInt8].self),
            stateDigest: try row.decode("state_digest", as: [UInt8].self),
            codeVerifier: verifier,
            createdAt: try row.decode("created_at", as: Date.self),
            expiresAt: try row.decode("expires_at", as: Date.self),
            consumedAt: try row.decode("consumed_at", as: Date?.self)
        )
    }
}
