public import Foundation
public import IPMDomain
public import Logging
import Synchronization

public struct PostgresUPSConnectionRepository: UPSConnectionRepository {
    private let client: PostgresClient
    private let logger: Logger
    /// How long a refresh under way keeps other instances away from its company, even when the
    /// database lost its row lock (see `refresh_leases`): the UPS call and the recovery fit in it.
    private let lease: Duration
    /// How long a rotated pair is retried after its commit was lost with the connection.
    private let recoveryDeadline: Duration
    /// `IPM_PUBLIC_URL`: webhook events that ask an admin to opt in again carry IPM's start page.
    private let publicURL: URL?

    /// - Parameter lease: at least twice the provider's whole retry budget; half of it is the
    ///   recovery deadline. After a crash, the company waits this long for its next refresh.
    public init(client: PostgresClient, logger: Logger = Logger(label: "ipm.connections"), lease: Duration = .seconds(300), publicURL: URL? = nil) {
        self.client = client
        self.logger = logger
        self.lease = lease
        self.recoveryDeadline = lease / 2
        self.publicURL = publicURL
    }

    public func connection(for company: CompanyID) async throws -> UPSConnection {
        let rows = try await client.query(
            """
            SELECT \(unescaped: UPSConnection.columns) FROM ups_connections u WHERE u.company_id = \(company.rawValue)
            """)
        return try rows.first.map { try UPSConnection(row: $0) } ?? .notConnected(company)
    }

    public func transition(
        _ company: CompanyID, _ change: @escaping @Sendable (UPSConnection) throws -> ConnectionTransition
    ) async throws -> UPSConnection {
        try await client.withTransaction { connection in
            // The row lock serialises transitions of one company across every instance.
            let rows = try connection.query(
                """
                SELECT \(unescaped: UPSConnection.columns) FROM ups_connections u WHERE u.company_id = \(company.rawValue) FOR UPDATE
                """)
            guard let row = rows.first else { throw DomainError.notFound("company", company.description) }
            let update = ConnectionUpdate(try change(try UPSConnection(row: row)))
            try apply(update, to: company, on: connection)
            return update.transition.connection
        }
    }

    public func withLockedConnection<R: Sendable>(
        _ company: CompanyID, _ lock: LockWaitPolicy,
        _ body: (LockedConnection) async throws -> (ConnectionUpdate?, R)
    ) async throws -> R? {
        // What `body` decided, kept outside the transaction: if the connection dies at commit,
        // a rotated pair must still reach the database.
        let decided = Mutex<(update: ConnectionUpdate, generation: Int64, value: R)?>(nil)
        let holder = UUID()
        let leased: Bool
        switch try await claim(company, lock, holder: holder) {
        case .busy: return nil
        case .leased: leased = true
        case .nothingToRefresh: leased = false
        }
        do {
            return try await client.withLongTransaction { transaction -> R? in
                let rows = try await transaction.query(
                    """
                    SELECT \(unescaped: UPSConnection.columns), \(unescaped: Self.tokenColumns)
                    FROM ups_connections u WHERE u.company_id = \(company.rawValue)
                    FOR UPDATE \(unescaped: lock == .skipIfLocked && !leased ? "SKIP LOCKED" : "")
                    """)
                guard let row = rows.first else {
                    let exists = try await transaction.query("SELECT 1 FROM ups_connections WHERE company_id = \(company.rawValue)")
                    if exists.isEmpty { throw DomainError.notFound("company", company.description) }
                    return nil
                }
                let locked = try LockedConnection(row: row)
                let (update, value) = try await body(locked)
                guard let update else {
                    try await transaction.run { try Self.releaseLease(of: company, holder: holder, on: $0) }
                    return value
                }
                precondition(update.transition.connection.companyID == company, "an update must stay with its company")
                decided.withLock { $0 = (update, locked.generation, value) }
                try await transaction.run {
                    try apply(update, to: company, on: $0)
                    try Self.releaseLease(of: company, holder: holder, on: $0)
                }
                return value
            }
        } catch let error as PostgresError where error.mayHaveLostTheConnection {
            guard let (update, generation, value) = decided.withLock({ $0 }), update.newTokens != nil else {
                await releaseLeaseAfterFailure(leased, of: company, holder: holder)
                throw error
            }
            // What `body` decided is stored after all: its value stands.
            guard try await recover(update, of: company, replacing: generation, holder: holder, after: error) else { throw error }
            return value
        } catch {
            await releaseLeaseAfterFailure(leased, of: company, holder: holder)
            throw error
        }
    }

    private enum Claim { case leased, nothingToRefresh, busy }

    /// Leases the company's refresh in a transaction of its own, committed before the caller's
    /// transaction locks the row again and anything is sent to UPS. A lease of the current
    /// token generation that has not expired means another holder's refresh is under way
    /// (perhaps one whose row lock a database restart took away): `.skipIfLocked` gives up at
    /// once, `.wait` looks again for a few seconds.
    private func claim(_ company: CompanyID, _ lock: LockWaitPolicy, holder: UUID) async throws -> Claim {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let claim = try await client.withTransaction { [lease] connection -> Claim in
                let rows = try connection.query(
                    """
                    SELECT token_generation, refresh_token_sealed IS NOT NULL AS holds_tokens FROM ups_connections
                    WHERE company_id = \(company.rawValue) FOR UPDATE \(unescaped: lock == .skipIfLocked ? "SKIP LOCKED" : "")
                    """)
                guard let row = rows.first else {
                    if try connection.query("SELECT 1 FROM ups_connections WHERE company_id = \(company.rawValue)").isEmpty {
                        throw DomainError.notFound("company", company.description)
                    }
                    return .busy
                }
                guard try row.decode("holds_tokens", as: Bool.self) else { return .nothingToRefresh }
                let generation = try row.decode("token_generation", as: Int64.self)
                let leases = try connection.query(
                    """
                    SELECT 1 FROM refresh_leases WHERE company_id = \(company.rawValue)
                      AND token_generation = \(generation) AND expires_at > clock_timestamp()
                    """)
                if !leases.isEmpty { return .busy }
                try connection.execute(
                    """
                    INSERT INTO refresh_leases (company_id, holder, token_generation, expires_at)
                    VALUES (\(company.rawValue), \(holder), \(generation), clock_timestamp() + \(Double(lease.components.seconds))::float8 * interval '1 second')
                    ON CONFLICT (company_id) DO UPDATE SET holder = EXCLUDED.holder,
                        token_generation = EXCLUDED.token_generation, expires_at = EXCLUDED.expires_at
                    """)
                return .leased
            }
            if claim != .busy || lock == .skipIfLocked || ContinuousClock.now >= deadline { return claim }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Nothing was decided (an error before or instead of UPS's answer): the lease only delays
    /// the next refresh, so it goes. Best effort; it expires anyway.
    private func releaseLeaseAfterFailure(_ leased: Bool, of company: CompanyID, holder: UUID) async {
        guard leased else { return }
        _ = try? await client.execute(Self.leaseRelease([company], holder: holder))
    }

    private static func releaseLease(of company: CompanyID, holder: UUID, on connection: PostgresConnection) throws {
        try connection.execute(leaseRelease([company], holder: holder))
    }

    /// Ends the leases `holder` took on these companies (the one statement every path uses).
    private static func leaseRelease(_ companies: [CompanyID], holder: UUID) -> SQL {
        "DELETE FROM refresh_leases WHERE company_id = ANY(\(idArray(companies))::uuid[]) AND holder = \(holder)"
    }

    public func snapshot(of company: CompanyID) async throws -> LockedConnection {
        let rows = try await client.query(Self.snapshotQuery(of: company))
        guard let row = rows.first else { throw DomainError.notFound("company", company.description) }
        return try LockedConnection(row: row)
    }

    public func countByStatus() async throws -> [ConnectionStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: ConnectionStatus.allCases.map { ($0, 0) })
        for row in try await client.query("SELECT status, count(*)::bigint AS n FROM ups_connections GROUP BY status") {
            if let status = ConnectionStatus(rawValue: try row.decode("status", as: String.self)) {
                counts[status] = try row.decode("n", as: Int.self)
            }
        }
        return counts
    }

    public func dueForRefresh(at now: Date, policy: RefreshPolicy, limit: Int) async throws -> [CompanyID] {
        try await client.query(Self.due(at: now, policy: policy, limit: limit))
            .map { CompanyID(try $0.decode("company_id", as: UUID.self)) }
    }

    /// `UPSConnection.isDueForRefresh` as a query, one text for `dueForRefresh` and `claimDue`:
    /// the margin comes from the domain's one definition (`RefreshMargin.terms`), over the
    /// lifetime expiry − last update (or now, as the domain reads a row without either); a
    /// backoff or a spent daily budget holds a connection back; blocked companies are tried
    /// again when their (long) wait is over, whatever the expiry. `RefreshDueRuleTests` checks
    /// the query and the domain agree on every kind of row. `claiming` looks only at those
    /// candidates (by primary key: the condition is no index's, so anything else reads the
    /// whole table, decision 79), leaves out refreshes under way (a lease of the row's token
    /// generation) and locks the rows it picks, skipping rows locked elsewhere.
    private static func due(at now: Date, policy: RefreshPolicy, limit: Int, claiming candidates: [CompanyID]? = nil) -> SQL {
        let (fraction, minimum) = policy.margin.terms
        let today = RefreshPolicy.day(of: now)
        let condition: SQL = """
            (u.next_refresh_at IS NULL OR u.next_refresh_at <= \(now))
              AND (u.status = 'blocked'
                   OR (u.status = 'authenticated'
                       AND NOT COALESCE(u.refresh_failure_day = \(today)::date AND u.refresh_failures_today >= \(policy.dailyFailureBudget), false)
                       AND (u.access_token_expires_at IS NULL
                            OR u.access_token_expires_at - GREATEST(\(minimum)::float8, \(fraction)::float8 * COALESCE(
                                EXTRACT(EPOCH FROM u.access_token_expires_at - COALESCE(u.updated_at, u.authorized_at, \(now))), 0)) * interval '1 second' <= \(now)
                            OR u.refresh_token_expires_at - GREATEST(\(minimum)::float8, \(fraction)::float8 * COALESCE(
                                EXTRACT(EPOCH FROM u.access_token_expires_at - COALESCE(u.updated_at, u.authorized_at, \(now))), 0)) * interval '1 second' <= \(now))))
            """
        let order = "CASE WHEN u.status = 'blocked' THEN u.next_refresh_at ELSE u.access_token_expires_at END NULLS FIRST, u.company_id"
        guard let candidates else {
            return "SELECT u.company_id FROM ups_connections u WHERE \(condition) ORDER BY \(unescaped: order) LIMIT \(limit)"
        }
        return """
            SELECT u.company_id FROM ups_connections u
            WHERE u.company_id = ANY(\(Self.idArray(candidates))::uuid[]) AND \(condition) \(unescaped: Self.notLeased)
            ORDER BY \(unescaped: order) LIMIT \(limit)
            FOR UPDATE OF u SKIP LOCKED
            """
    }

    /// No refresh of the row's current token pair under way (`refresh_leases`).
    private static let notLeased = """
        AND NOT EXISTS (SELECT 1 FROM refresh_leases l WHERE l.company_id = u.company_id
                          AND l.token_generation = u.token_generation AND l.expires_at > clock_timestamp())
        """

    public func claimDue(_ candidates: [CompanyID], at now: Date, policy: RefreshPolicy, holder: UUID) async throws -> [LockedConnection] {
        guard !candidates.isEmpty else { return [] }
        let due = Self.due(at: now, policy: policy, limit: candidates.count, claiming: candidates)
        return try await client.withTransaction { [lease] connection -> [LockedConnection] in
            // First the row locks (SKIP LOCKED: rows another claim or refresh holds are left to it) …
            let locked = try connection.query(due).map { CompanyID(try $0.decode("company_id", as: UUID.self)) }
            guard !locked.isEmpty else { return [] }
            // … then, in a statement of its own, whose snapshot is taken with the locks held, the
            // lease check: a claim another instance committed before we got a row is seen here.
            return try connection.query(
                """
                WITH leased AS (
                    INSERT INTO refresh_leases (company_id, holder, token_generation, expires_at)
                    SELECT u.company_id, \(holder), u.token_generation,
                           clock_timestamp() + \(Double(lease.components.seconds))::float8 * interval '1 second'
                    FROM ups_connections u
                    WHERE u.company_id = ANY(\(Self.idArray(locked))::uuid[]) AND u.refresh_token_sealed IS NOT NULL
                    \(unescaped: Self.notLeased)
                    ON CONFLICT (company_id) DO UPDATE SET holder = EXCLUDED.holder,
                        token_generation = EXCLUDED.token_generation, expires_at = EXCLUDED.expires_at
                    RETURNING company_id
                )
                SELECT \(unescaped: UPSConnection.columns), \(unescaped: Self.tokenColumns)
                FROM ups_connections u JOIN leased ON leased.company_id = u.company_id
                """
            ).map(LockedConnection.init(row:))
        }
    }

    public func completeClaims<R: Sendable>(_ claims: [ClaimCompletion<R>], holder: UUID) async throws -> [Result<R?, any Error>] {
        guard !claims.isEmpty else { return [] }
        precondition(Set(claims.map(\.company)).count == claims.count, "a company's claim is completed once")
        // What `decide` made of each row the first time: when the commit seems lost with the
        // connection, a row holding exactly its pair shows that the commit landed after all.
        let decided = Mutex<[CompanyID: (update: ConnectionUpdate, value: R)]>([:])
        let ids = Self.idArray(claims.map(\.company))
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: recoveryDeadline)
        var delay = Duration.milliseconds(100)
        while true {
            do {
                let results = try await client.withTransaction { connection -> [Result<R?, any Error>] in
                    // Announced after the commit, below (migration 0014, decision 78).
                    try connection.execute("SELECT set_config('ipm.notify_after_commit', 'on', true)")
                    // Row locks in one order, so two batches never wait for each other in a cycle.
                    var rows: [CompanyID: LockedConnection] = [:]
                    for row in try connection.query(
                        """
                        SELECT \(unescaped: UPSConnection.columns), \(unescaped: Self.tokenColumns)
                        FROM ups_connections u WHERE u.company_id = ANY(\(ids)::uuid[]) ORDER BY u.company_id FOR UPDATE
                        """)
                    {
                        let current = try LockedConnection(row: row)
                        rows[current.connection.companyID] = current
                    }
                    try connection.execute(Self.leaseRelease(claims.map(\.company), holder: holder))
                    return try claims.map { claim -> Result<R?, any Error> in
                        guard let current = rows[claim.company] else {
                            return .failure(DomainError.notFound("company", claim.company.description))
                        }
                        guard current.generation == claim.generation else {
                            if let (update, value) = decided.withLock({ $0[claim.company] }), let sealed = update.newTokens,
                                current.generation == claim.generation + 1, current.tokens?.accessToken.ciphertext == sealed.accessToken.ciphertext
                            {
                                return .success(value)
                            }
                            return .success(nil)
                        }
                        let update: ConnectionUpdate?
                        let value: R
                        do {
                            (update, value) = try claim.decide(current)
                        } catch {
                            return .failure(error)  // this company stays as it was; the others are stored
                        }
                        guard let update else { return .success(value) }
                        precondition(update.transition.connection.companyID == claim.company, "an update must stay with its company")
                        decided.withLock { $0[claim.company] = (update, value) }
                        try apply(update, to: claim.company, on: connection)
                        return .success(value)
                    }
                }
                await announceAfterCommit(decided.withLock { Array($0.keys) })
                return results
            } catch let error as PostgresError where error.mayHaveLostTheConnection && clock.now < deadline {
                // UPS may have answered with new pairs, the only live ones: keep trying.
                logger.warning(
                    "the database connection was lost while completing token refreshes; trying again",
                    metadata: ["companies": "\(claims.count)", "postgres.error": "\(error.debugDescription)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    /// Tells every server's change feed that the sweep changed these companies, once their
    /// transaction has committed (decision 78). The notifications' own transaction commits
    /// without waiting for its WAL flush, so it holds PostgreSQL's notify lock only for a
    /// moment. Best effort: should one be lost, its company was due (within the refresh
    /// margin, where no server serves its token from memory), and a lost database connection
    /// empties every cache.
    private func announceAfterCommit(_ companies: [CompanyID]) async {
        guard !companies.isEmpty else { return }
        do {
            try await client.execute(
                """
                SELECT set_config('synchronous_commit', 'off', true),
                       pg_notify(\(PostgresUPSConnectionChanges.channel), company::text)
                FROM unnest(\(Self.idArray(companies))::uuid[]) AS company
                """)
        } catch {
            logger.warning(
                "could not announce refreshed connections to the other servers",
                metadata: ["companies": "\(companies.count)", "postgres.error": "\(error)"])
        }
    }

    /// A `uuid[]` literal of the companies' ids.
    private static func idArray(_ companies: [CompanyID]) -> String {
        "{" + companies.map(\.rawValue.canonicalText).joined(separator: ",") + "}"
    }

    public func releaseClaims(_ companies: [CompanyID], holder: UUID) async throws {
        guard !companies.isEmpty else { return }
        try await client.execute(Self.leaseRelease(companies, holder: holder))
    }

    /// The token route's read of a company's connection and sealed pair, without a lock
    /// (also what `ipm-bench roundtrip` measures against pgbench).
    public static func snapshotQuery(of company: CompanyID) -> SQL {
        """
        SELECT \(unescaped: UPSConnection.columns), \(unescaped: tokenColumns)
        FROM ups_connections u WHERE u.company_id = \(company.rawValue)
        """
    }

    // MARK: Writing

    static let tokenColumns = "u.access_token_sealed, u.refresh_token_sealed, u.token_key_id, u.token_scope, u.token_generation"

    /// Stores the new state, its audit event, and the token change (a new pair, the pair
    /// kept, or none), on a connection already holding the row lock inside a transaction.
    private func apply(_ update: ConnectionUpdate, to company: CompanyID, on connection: PostgresConnection) throws {
        let next = update.transition.connection
        let tokens = update.newTokens
        let mode = tokens != nil ? "new" : next.holdsTokens ? "keep" : "none"
        try connection.execute(
            """
            UPDATE ups_connections SET
                status = \(next.status.rawValue),
                authorized_by = \(next.authorizedBy?.rawValue),
                authorized_at = \(next.authorizedAt),
                access_token_expires_at = \(next.accessTokenExpiresAt),
                refresh_token_expires_at = \(next.refreshTokenExpiresAt),
                reauthorization_message = \(next.reauthorizationMessage),
                updated_at = \(next.updatedAt),
                refresh_failures = \(next.refreshHealth.consecutiveFailures),
                next_refresh_at = \(next.refreshHealth.nextAttemptAt),
                last_refresh_error = \(next.refreshHealth.lastError),
                refresh_failures_today = \(next.refreshHealth.failuresToday),
                refresh_failure_day = \(next.refreshHealth.failureDay)::date,
                blocked_reason = \(next.blockedReason),
                blocked_at = \(next.blockedAt),
                trouble_announced = \(next.announcements.trouble?.rawValue),
                trouble_announced_at = \(next.announcements.troubleAnnouncedAt),
                expiry_warned_at = \(next.announcements.expiryWarnedAt),
                refresh_token_renews = \(next.announcements.refreshTokenRenews),
                access_token_sealed = CASE \(mode) WHEN 'new' THEN \(tokens?.accessToken.ciphertext)::bytea
                    WHEN 'keep' THEN access_token_sealed END,
                refresh_token_sealed = CASE \(mode) WHEN 'new' THEN \(tokens?.refreshToken.ciphertext)::bytea
                    WHEN 'keep' THEN refresh_token_sealed END,
                token_key_id = CASE \(mode) WHEN 'new' THEN \(tokens?.accessToken.keyID)::text
                    WHEN 'keep' THEN token_key_id END,
                token_scope = CASE \(mode) WHEN 'new' THEN \(tokens?.scope)::text
                    WHEN 'keep' THEN token_scope END,
                token_generation = token_generation + CASE \(mode) WHEN 'new' THEN 1 ELSE 0 END,
                last_refreshed_at = COALESCE(\(update.refreshedAt)::timestamptz, \(next.lastRefreshedAt)::timestamptz)
            WHERE company_id = \(company.rawValue)
            """)
        if let event = update.transition.event {
            try event.insert(on: connection)
            if update.transition.notifies { try notify(event, connection: next, on: connection) }
        }
    }

    /// A change every admin of the company hears about: a notification and a webhook event,
    /// in the same transaction as the change itself.
    private func notify(_ event: AuditEvent, connection next: UPSConnection, on connection: PostgresConnection) throws {
        guard let kind = CompanyNotification.Kind(event.action) else { return }
        try connection.execute(
            """
            INSERT INTO notifications (id, company_id, kind, message, occurred_at)
            VALUES (\(event.id.rawValue), \(event.companyID.rawValue), \(kind.rawValue), \(event.detail), \(event.occurredAt))
            """)
        let rows = try connection.query("SELECT \(unescaped: Company.columns) FROM companies c WHERE c.id = \(event.companyID.rawValue)")
        guard let company = try rows.first.map(Company.init(row:)) else { return }
        let payload = WebhookEventPayload(event: event, kind: kind, company: company, connection: next, publicURL: publicURL)
        try connection.execute(
            """
            INSERT INTO webhook_outbox (event_id, company_id, payload, created_at, next_attempt_at)
            VALUES (\(event.id.rawValue), \(event.companyID.rawValue), \(payload.json), \(event.occurredAt), \(event.occurredAt))
            """)
    }

    /// The connection died around the commit of a rotated pair. UPS has already consumed the
    /// old refresh token, so the new pair is the only one left: write it again on a fresh
    /// connection, over exactly the generation it replaces, until the database is back.
    /// - Returns: whether the update is stored (now, or by the commit that seemed lost).
    private func recover(
        _ update: ConnectionUpdate, of company: CompanyID, replacing generation: Int64, holder: UUID, after error: PostgresError
    ) async throws -> Bool {
        logger.warning(
            "the database connection was lost while storing rotated UPS tokens; writing them again",
            metadata: [
                "company": "\(company)", "postgres.error": "\(error.debugDescription)",
            ])
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: recoveryDeadline)
        var delay = Duration.milliseconds(100)
        while true {
            do {
                let stored = try await client.withTransaction { connection -> Bool in
                    let rows = try connection.query(
                        """
                        SELECT token_generation, access_token_sealed FROM ups_connections
                        WHERE company_id = \(company.rawValue) FOR UPDATE
                        """)
                    guard let row = rows.first else { throw DomainError.notFound("company", company.description) }
                    let current = try row.decode("token_generation", as: Int64.self)
                    try Self.releaseLease(of: company, holder: holder, on: connection)
                    if current == generation {
                        try apply(update, to: company, on: connection)
                        return true
                    }
                    // The first commit did land before the connection went, or the pair was
                    // replaced since (an opt-in): either way there is nothing to write.
                    let sealed = try row.decode("access_token_sealed", as: [UInt8]?.self)
                    return current == generation + 1 && sealed == update.newTokens?.accessToken.ciphertext
                }
                logger.notice(
                    stored
                        ? "rotated UPS tokens are stored after the database came back"
                        : "rotated UPS tokens were superseded by a newer pair; nothing to store", metadata: ["company": "\(company)"])
                return stored
            } catch let retry as PostgresError where retry.mayHaveLostTheConnection && clock.now < deadline {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
