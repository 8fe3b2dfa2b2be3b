import Foundation
public import IPMDomain
public import Logging

/// Re-seals every stored secret under the key ring's current key, in small transactions,
/// while servers keep running: rows a refresh holds are skipped and taken in a later pass,
/// and a token pair is re-sealed as it is (its generation does not change).
///
/// Run it after the new key was put first in `IPM_ENCRYPTION_KEYS` on every server; remove
/// the old key once it reports nothing left.
public struct SecretRotation: Sendable {
    private let client: PostgresClient
    private let secrets: any SecretBox
    private let batchSize: Int
    private let logger: Logger

    public init(client: PostgresClient, secrets: any SecretBox, batchSize: Int = 100, logger: Logger) {
        self.client = client
        self.secrets = secrets
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    /// What a rotation did.
    public struct Summary: Sendable, Hashable {
        /// Token pairs re-sealed (each counts once, for both its tokens).
        public var tokenPairs = 0
        /// PKCE verifiers of pending opt-ins re-sealed.
        public var verifiers = 0
        /// Secrets that could not be opened (unknown key or failed authentication), left as they were.
        public var unreadable: [String] = []
        /// Secrets still under another key after the last pass (held by a refresh, or sealed
        /// meanwhile by a server that does not know the new key yet): run again.
        public var remaining = 0
        public var currentKeyID = ""
    }

    public func rotate(progress: @Sendable (Summary) -> Void = { _ in }) async throws -> Summary {
        var summary = Summary()
        summary.currentKeyID = secrets.currentKeyID
        for _ in 0..<3 {
            try await resealTokenPairs(&summary, progress)
            try await resealVerifiers(&summary, progress)
            summary.remaining = try await remaining()
            if summary.remaining <= summary.unreadable.count { break }
        }
        summary.remaining -= summary.unreadable.count
        return summary
    }

    /// Secrets not sealed under the current key.
    public func remaining() async throws -> Int {
        let current = secrets.currentKeyID
        let rows = try await client.query(
            """
            SELECT (SELECT count(*) FROM ups_connections WHERE token_key_id <> \(current))
                 + (SELECT count(*) FROM ups_authorization_requests WHERE key_id <> \(current)) AS n
            """)
        return try rows.first?.decode("n", as: Int.self) ?? 0
    }

    private func resealTokenPairs(_ summary: inout Summary, _ progress: @Sendable (Summary) -> Void) async throws {
        let secrets = self.secrets
        try await resealInBatches(
            &summary, \.tokenPairs, progress,
            select: { after, limit in
                """
                SELECT company_id AS id, access_token_sealed, refresh_token_sealed, token_key_id FROM ups_connections
                WHERE token_key_id <> \(secrets.currentKeyID) AND company_id > \(after)
                ORDER BY company_id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """
            },
            reseal: { row, connection in
                let company = CompanyID(try row.decode("id", as: UUID.self))
                let keyID = try row.decode("token_key_id", as: String.self)
                let access = SealedSecret(keyID: keyID, ciphertext: try row.decode("access_token_sealed", as: [UInt8].self))
                let refresh = SealedSecret(keyID: keyID, ciphertext: try row.decode("refresh_token_sealed", as: [UInt8].self))
                let newAccess = try secrets.reseal(access, context: SealedTokenPair.accessTokenContext(company))
                let newRefresh = try secrets.reseal(refresh, context: SealedTokenPair.refreshTokenContext(company))
                try connection.execute(
                    """
                    UPDATE ups_connections SET access_token_sealed = \(newAccess.ciphertext),
                        refresh_token_sealed = \(newRefresh.ciphertext), token_key_id = \(newAccess.keyID)
                    WHERE company_id = \(company.rawValue)
                    """)
            })
    }

    private func resealVerifiers(_ summary: inout Summary, _ progress: @Sendable (Summary) -> Void) async throws {
        let secrets = self.secrets
        try await resealInBatches(
            &summary, \.verifiers, progress,
            select: { after, limit in
                """
                SELECT id, code_verifier_sealed, key_id FROM ups_authorization_requests
                WHERE key_id <> \(secrets.currentKeyID) AND id > \(after)
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """
            },
            reseal: { row, connection in
                let id = AuthorizationRequestID(try row.decode("id", as: UUID.self))
                let sealed = SealedSecret(
                    keyID: try row.decode("key_id", as: String.self), ciphertext: try row.decode("code_verifier_sealed", as: [UInt8].self))
                let resealed = try secrets.reseal(sealed, context: AuthorizationRequest.codeVerifierContext(id))
                try connection.execute(
                    """
                    UPDATE ups_authorization_requests SET code_verifier_sealed = \(resealed.ciphertext), key_id = \(resealed.keyID)
                    WHERE id = \(id.rawValue)
                    """)
            })
    }

    /// Walks the rows `select` finds in id order, one transaction per batch, re-sealing each.
    /// A row whose secret cannot be opened is reported and left as it is.
    private func resealInBatches(
        _ summary: inout Summary, _ counter: WritableKeyPath<Summary, Int>, _ progress: @Sendable (Summary) -> Void,
        select: @escaping @Sendable (_ after: UUID, _ limit: Int) -> SQL,
        reseal: @escaping @Sendable (PostgresRow, PostgresConnection) throws -> Void
    ) async throws {
        var after = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let batchSize = self.batchSize
        let logger = self.logger
        while true {
            let from = after
            let batch = try await client.withTransaction { connection -> (done: Int, unreadable: [String], last: UUID?) in
                let rows = try connection.query(select(from, batchSize))
                var done = 0
                var unreadable: [String] = []
                for row in rows {
                    do {
                        try reseal(row, connection)
                        done += 1
                    } catch let error as SecretBoxError {
                        let what = (try? row.decode("id", as: UUID.self)).map { "\($0)" } ?? "?"
                        logger.error("a stored secret cannot be opened; left as it is", metadata: ["id": "\(what)", "error": "\(error)"])
                        unreadable.append("\(what): \(error)")
                    }
                }
                return (done, unreadable, try rows.last.map { try $0.decode("id", as: UUID.self) })
            }
            summary[keyPath: counter] += batch.done
            summary.unreadable = Array(Set(summary.unreadable + batch.unreadable)).sorted()
            progress(summary)
            guard let last = batch.last else { return }
            after = last
        }
    }
}

extension SecretBox {
    /// Opens a secret and seals it again under the current key, in the same context.
    func reseal(_ sealed: SealedSecret, context: String) throws(SecretBoxError) -> SealedSecret {
        try seal(try open(sealed, context: context), context: context)
    }
}
