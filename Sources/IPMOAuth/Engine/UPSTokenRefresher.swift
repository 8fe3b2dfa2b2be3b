import Foundation
public import IPMDomain
public import Logging
import Synchronization

/// Keeps companies' UPS tokens fresh. One refresh holds the company's row lock from reading
/// the refresh token until the rotated pair is committed, so across every instance a refresh
/// token is presented by one caller only, and never again once UPS has answered with a new pair.
public struct UPSTokenRefresher: UPSTokenRefreshing {
    private let server: any AuthorizationServer
    private let connections: any UPSConnectionRepository
    private let secrets: any SecretBox
    let clock: any IPMDomain.Clock
    private let random: any RandomSource
    private let retry: RetryPolicy
    private let policy: RefreshPolicy
    private let concurrency: Int
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger
    let metrics: RefreshMetrics
    /// A token issued this recently is not renewed after a 401 (see `accessToken(for:replacing:)`).
    let forcedRefreshWindow: Duration

    /// Refreshes in flight at once unless configured (`IPM_REFRESH_CONCURRENCY`).
    public static let defaultConcurrency = 32

    /// Who the audit trail names for the refresher's changes.
    static let actor = AuditActor.system("token refresh")

    public init(
        server: any AuthorizationServer, connections: any UPSConnectionRepository, secrets: any SecretBox,
        clock: any IPMDomain.Clock, random: any RandomSource, retry: RetryPolicy, policy: RefreshPolicy = .standard,
        concurrency: Int = Self.defaultConcurrency, logger: Logger, metrics: RefreshMetrics = RefreshMetrics(),
        forcedRefreshWindow: Duration = .seconds(30),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.forcedRefreshWindow = forcedRefreshWindow
        self.server = server
        self.connections = connections
        self.secrets = secrets
        self.clock = clock
        self.random = random
        self.retry = retry
        self.policy = policy
        self.concurrency = max(1, concurrency)
        self.sleep = sleep
        self.logger = logger
        self.metrics = metrics
    }

    public func refresh(_ company: CompanyID, force: Bool) async -> RefreshOutcome {
        await refresh(company, force: force, lock: .wait)
    }

    /// A pipeline, not batches. The pass starts from one list of the due connections, in the
    /// order they are due (`dueForRefresh`, up to `limit`), and claims them as it goes, many at
    /// a time (`claimDue`: one short transaction leases those still due and free, looking at
    /// nothing else), the next claim made while the refreshes go on. Up to `concurrency`
    /// refreshes are in flight. A refresh holds no database connection while UPS answers; the
    /// answers are stored together, as they come, by at most `storeConcurrency` transactions
    /// at once (`completeClaims`: one commit for every answer that arrived while the previous
    /// store ran), so the database work per refresh shrinks as the load grows and the pool
    /// bounds it whatever the concurrency. A refresh counts as in flight until its answer is
    /// committed. Ends when the list is done; a company is refreshed at most once per pass.
    public func refreshDue(limit: Int) async throws -> [(CompanyID, RefreshOutcome)] {
        let holder = UUID()
        let candidates = try await connections.dueForRefresh(at: clock.now(), policy: policy, limit: limit)
        var offered = 0
        var results: [(CompanyID, RefreshOutcome)] = []
        var waiting: [LockedConnection] = []
        var answered: [PendingStore] = []
        var running = 0
        var storing = 0
        var claiming = false
        var claimFailed = false
        await withTaskGroup(of: SweepStep.self) { group in
            while true {
                // Claims go ahead of the refreshes by at most half a round, in bulk, one at a time.
                if !claiming, !claimFailed, !Task.isCancelled, waiting.count <= concurrency / 2, offered < candidates.count {
                    let next = Array(candidates[offered..<min(offered + concurrency, candidates.count)])
                    offered += next.count
                    claiming = true
                    group.addTask { [connections, clock, policy] in
                        do {
                            return .claimed(.success(try await connections.claimDue(next, at: clock.now(), policy: policy, holder: holder)))
                        } catch {
                            return .claimed(.failure(error))
                        }
                    }
                }
                // A refresh, once started, runs to its commit even when the sweep is cancelled
                // (a graceful shutdown): cancelling the UPS call could drop an answer UPS already
                // gave, and with it the only live refresh token. Cancellation only stops new
                // refreshes; their claims are handed back.
                if Task.isCancelled, !waiting.isEmpty {
                    let handedBack = waiting.map(\.connection.companyID)
                    waiting = []
                    await Task { try? await connections.releaseClaims(handedBack, holder: holder) }.value
                }
                while running < concurrency, !waiting.isEmpty {
                    let next = waiting.removeFirst()
                    group.addTask { await Task { await answer(next) }.value }
                    running += 1
                }
                while storing < Self.storeConcurrency, !answered.isEmpty {
                    let batch = answered
                    answered = []
                    group.addTask { .stored(await Task { await store(batch, holder: holder) }.value) }
                    storing += 1
                }
                guard running > 0 || claiming, let step = await group.next() else { break }
                switch step {
                case .claimed(.success(let claimed)):
                    claiming = false
                    waiting += claimed
                case .claimed(.failure(let error)):
                    claiming = false
                    claimFailed = true
                    logger.warning("claiming due connections failed; this pass ends early", metadata: ["error": "\(error)"])
                case .answered(let pending):
                    answered.append(pending)
                case .finished(let company, let outcome):
                    results.append((company, outcome))
                    running -= 1
                case .stored(let outcomes):
                    results += outcomes
                    running -= outcomes.count
                    storing -= 1
                }
            }
        }
        return results
    }

    /// Store transactions of one sweep at once: one commits while the next answers gather.
    static let storeConcurrency = 2

    /// A step of the sweep's pipeline, as its tasks report it.
    private enum SweepStep: Sendable {
        /// A claim of some of the pass's candidates.
        case claimed(Result<[LockedConnection], any Error>)
        /// UPS answered (or nothing was to be asked): this is to be stored.
        case answered(PendingStore)
        /// Ended before anything was to be stored.
        case finished(CompanyID, RefreshOutcome)
        /// A store transaction ended: these refreshes are over.
        case stored([(CompanyID, RefreshOutcome)])
    }

    /// A claimed connection's refresh waiting for its store.
    private struct PendingStore: Sendable {
        var completion: ClaimCompletion<RefreshOutcome>
        var started: ContinuousClock.Instant
    }

    /// One claimed connection's refresh up to its store: UPS is asked without any database
    /// connection held, and its answer will be stored over the row as it is then (an opt-out
    /// meanwhile wins).
    private func answer(_ claimed: LockedConnection) async -> SweepStep {
        let company = claimed.connection.companyID
        let metadata: Logger.Metadata = ["company": "\(company)"]
        let started = ContinuousClock.now
        let decide: @Sendable (LockedConnection) throws -> (ConnectionUpdate?, RefreshOutcome)
        do {
            switch try plan(claimed, force: false, metadata: metadata) {
            case .settled(let update, let settled):
                // Nothing sent to UPS: the decision stands only over the row it was made on.
                decide = { current in current.connection == claimed.connection ? (update, settled) : (nil, .busy) }
            case .present(let refreshToken):
                let answer = try await present(refreshToken, of: company, metadata: metadata)
                decide = { current in
                    // Opted out (or sent to re-authorize) while UPS answered: the new pair goes too.
                    guard current.connection.holdsTokens else { return (nil, .notAuthenticated(current.connection.status)) }
                    let (update, outcome, _) = try settle(current.connection, answer, metadata: metadata)
                    return (update, outcome)
                }
            }
        } catch {
            return .finished(company, conclude(.failure(error), started: started, metadata: metadata))
        }
        let completion = ClaimCompletion(company, generation: claimed.generation, decide: decide)
        return .answered(PendingStore(completion: completion, started: started))
    }

    /// Stores the answers in one transaction. Should the transaction as a whole fail, each is
    /// stored alone, so one company's row cannot cost the others their new pairs.
    private func store(_ batch: [PendingStore], holder: UUID) async -> [(CompanyID, RefreshOutcome)] {
        let stored: [Result<RefreshOutcome?, any Error>]
        do {
            stored = try await connections.completeClaims(batch.map(\.completion), holder: holder)
        } catch  where batch.count > 1 {
            logger.warning("storing \(batch.count) token refreshes together failed; storing each alone", metadata: ["error": "\(error)"])
            var each: [(CompanyID, RefreshOutcome)] = []
            for pending in batch { each += await store([pending], holder: holder) }
            return each
        } catch {
            stored = [.failure(error)]
        }
        return zip(batch, stored).map { pending, result in
            (pending.completion.company, conclude(result, started: pending.started, metadata: ["company": "\(pending.completion.company)"]))
        }
    }

    /// A refresh's end, however it went: logged, counted, and an outcome. `nil` stored: the
    /// claimed pair was replaced meanwhile (a re-authorization, or another holder's refresh).
    private func conclude(_ stored: Result<RefreshOutcome?, any Error>, started: ContinuousClock.Instant, metadata: Logger.Metadata) -> RefreshOutcome
    {
        let outcome: RefreshOutcome
        switch stored {
        case .success(let value):
            outcome = value ?? .busy
            log(outcome, metadata)
        case .failure(let error):
            // The database failed us; whatever UPS answered is either stored or recovered by
            // the repository. Nothing secret is in a database error's description.
            logger.error("token refresh failed in storage", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            outcome = .storageFailure("\(error)")
        }
        metrics.record(outcome, duration: .now - started)
        return outcome
    }

    /// The company's access token for the token API: the stored one while it is outside the
    /// margin; else refreshed under the company's lock (callers waiting on the lock then get
    /// the pair the first one stored). A failing refresh still hands out a token that has not
    /// expired yet, and a backoff is respected.
    func accessToken(for company: CompanyID) async throws -> IssuedAccessToken {
        try await servableAccessToken(for: company).issued
    }

    /// The same, and — when it is the stored token, outside the margin, handed out without a
    /// lock — until when it may be handed out again without reading the database (the start of
    /// the refresh margin), for `AccessTokenCache`.
    func servableAccessToken(for company: CompanyID) async throws -> (issued: IssuedAccessToken, servable: AccessTokenCache.Servable?) {
        // Fast path, no lock: a stored token outside the margin is simply handed out.
        let snapshot = try await connections.snapshot(of: company)
        if snapshot.connection.status == .blocked { throw Self.blockedFailure(snapshot.connection) }
        let now = clock.now()
        if snapshot.connection.status == .authenticated, let tokens = snapshot.tokens, let expiry = snapshot.connection.accessTokenExpiresAt,
            !snapshot.connection.isDueForRefresh(at: now, policy: policy), expiry > now
        {
            let servable = snapshot.connection.refreshMarginStarts(policy: policy).flatMap { until in
                until > now ? AccessTokenCache.Servable(generation: snapshot.generation, until: until) : nil
            }
            return (try stored(tokens, of: company, expiresAt: expiry), servable)
        }
        return (try await lockedAccessToken(for: company), nil)
    }

    /// The token API's slow path: under the company's lock, refreshed when due.
    private func lockedAccessToken(for company: CompanyID) async throws -> IssuedAccessToken {
        let metadata: Logger.Metadata = ["company": "\(company)"]
        let started = ContinuousClock.now
        let attempt = Mutex<RefreshOutcome?>(nil)
        defer { attempt.withLock { $0 }.map { metrics.record($0, duration: .now - started) } }
        let result = try await connections.withLockedConnection(company, .wait) {
            locked -> (ConnectionUpdate?, Result<IssuedAccessToken, AccessTokenFailure>) in
            let connection = locked.connection
            if connection.status == .blocked { return (nil, .failure(Self.blockedFailure(connection))) }
            guard connection.status == .authenticated, let tokens = locked.tokens, let expiry = connection.accessTokenExpiresAt else {
                return (nil, .failure(.notAuthenticated(connection.status, reason: connection.reauthorizationMessage)))
            }
            let now = clock.now()
            let current = { () throws -> IssuedAccessToken in
                try stored(tokens, of: company, expiresAt: expiry)
            }
            if !connection.isDueForRefresh(at: now, policy: policy) {
                if expiry > now { return (nil, .success(try current())) }
                return (
                    nil,
                    .failure(
                        .unavailable(
                            "the access token expired and earlier refreshes failed; the next attempt waits until \(connection.refreshHealth.nextAttemptAt?.formatted(.iso8601) ?? "tomorrow")"
                        ))
                )
            }
            let (update, outcome, fresh) = try await refreshLocked(locked, force: true, metadata: metadata)
            attempt.withLock { $0 = outcome }
            switch outcome {
            case .refreshed, .reauthorizationRequired, .notAuthenticated, .blocked:
                return (update, Self.issued(outcome, fresh, update?.transition.connection))
            default:
                // While the token cannot be renewed, one that has not expired is still good enough.
                if expiry > now { return (update, .success(try current())) }
                return (update, Self.issued(outcome, fresh, update?.transition.connection))
            }
        }
        guard let result else {
            // Another instance's refresh of this company is under way: what is stored serves until it expires.
            let snapshot = try await connections.snapshot(of: company)
            if let tokens = snapshot.tokens, let expiry = snapshot.connection.accessTokenExpiresAt, expiry > clock.now() {
                return try stored(tokens, of: company, expiresAt: expiry)
            }
            throw AccessTokenFailure.unavailable("another IPM instance is renewing this company's UPS token; try again in a moment")
        }
        return try result.get()
    }

    /// A new access token after UPS refused `rejected`: the row lock is taken, and UPS is asked
    /// for a new pair only when the stored token is still the refused one — else another
    /// caller has already renewed it, and that token is handed out.
    func accessToken(for company: CompanyID, replacing rejected: Secret) async throws -> IssuedAccessToken {
        let metadata: Logger.Metadata = ["company": "\(company)"]
        let result = try await connections.withLockedConnection(company, .wait) {
            locked -> (ConnectionUpdate?, Result<IssuedAccessToken, AccessTokenFailure>) in
            let connection = locked.connection
            if connection.status == .blocked { return (nil, .failure(Self.blockedFailure(connection))) }
            guard connection.status == .authenticated, let tokens = locked.tokens, let expiry = connection.accessTokenExpiresAt else {
                return (nil, .failure(.notAuthenticated(connection.status, reason: connection.reauthorizationMessage)))
            }
            let current = try stored(tokens, of: company, expiresAt: expiry)
            guard current.token == rejected else { return (nil, .success(current)) }
            // Issued moments ago (by a refresh or an opt-in, on any instance): a new pair would be
            // refused alike, and every renewal spends a single-use refresh token.
            if let issued = connection.updatedAt, abs(clock.now().timeIntervalSince(issued)) < Double(forcedRefreshWindow.components.seconds) {
                logger.notice("UPS refused an access token issued moments ago; not renewing it again yet", metadata: metadata)
                return (nil, .success(current))
            }
            logger.info("UPS refused the stored access token; refreshing it once", metadata: metadata)
            let (update, outcome, fresh) = try await refreshLocked(locked, force: true, metadata: metadata)
            log(outcome, metadata)
            return (update, Self.issued(outcome, fresh, update?.transition.connection))
        }
        guard let result else { throw DomainError.companyNotFound(.id(company)) }
        return try result.get()
    }

    /// Why a blocked company gets no access token: UPS would refuse the merchant anyway
    /// (DECISIONS.md 42), and the caller learns when IPM tries again.
    private static func blockedFailure(_ connection: UPSConnection) -> AccessTokenFailure {
        .blocked(reason: connection.blockedReason ?? "UPS answered 403 Blocked Merchant", retryAt: connection.refreshHealth.nextAttemptAt)
    }

    /// What a refresh for the token API hands out: the new token, or why there is none.
    private static func issued(
        _ outcome: RefreshOutcome, _ fresh: Secret?, _ stored: UPSConnection? = nil
    ) -> Result<IssuedAccessToken, AccessTokenFailure> {
        switch outcome {
        case .refreshed(let newExpiry):
            guard let fresh else { return .failure(.unavailable("UPS issued no access token")) }
            return .success(IssuedAccessToken(token: fresh, expiresAt: newExpiry))
        case .reauthorizationRequired(let reason):
            return .failure(.notAuthenticated(.reauthorizationRequired, reason: reason.message))
        case .notAuthenticated(let status):
            return .failure(.notAuthenticated(status, reason: nil))
        case .misconfigured(let detail):
            return .failure(.misconfigured(detail))
        case .blocked(let detail):
            return .failure(.blocked(reason: detail, retryAt: stored?.refreshHealth.nextAttemptAt))
        case .transientFailure, .storageFailure, .notDue, .busy, .backingOff:
            return .failure(.unavailable(outcome.description))
        }
    }

    /// The stored access token, opened.
    private func stored(_ tokens: SealedTokenPair, of company: CompanyID, expiresAt expiry: Date) throws -> IssuedAccessToken {
        IssuedAccessToken(token: try secrets.open(tokens.accessToken, context: SealedTokenPair.accessTokenContext(company)), expiresAt: expiry)
    }

    public func refresh(_ company: CompanyID, force: Bool, lock: LockWaitPolicy) async -> RefreshOutcome {
        let metadata: Logger.Metadata = ["company": "\(company)"]
        let started = ContinuousClock.now
        let stored: Result<RefreshOutcome?, any Error>
        do {
            stored = .success(
                try await connections.withLockedConnection(company, lock) { locked in
                    let (update, outcome, _) = try await refreshLocked(locked, force: force, metadata: metadata)
                    return (update, outcome)
                })
        } catch {
            stored = .failure(error)
        }
        return conclude(stored, started: started, metadata: metadata)
    }

    /// - Returns: the update to store, the outcome, and the new access token when UPS issued one.
    private func refreshLocked(
        _ locked: LockedConnection, force: Bool, metadata: Logger.Metadata
    ) async throws -> (ConnectionUpdate?, RefreshOutcome, Secret?) {
        switch try plan(locked, force: force, metadata: metadata) {
        case .settled(let update, let outcome):
            return (update, outcome, nil)
        case .present(let refreshToken):
            let answer = try await present(refreshToken, of: locked.connection.companyID, metadata: metadata)
            return try settle(locked.connection, answer, metadata: metadata)
        }
    }

    /// What a refresh of a connection comes to before UPS is asked.
    private enum Plan {
        /// No call to UPS: this is stored (or nothing) and this is the outcome.
        case settled(ConnectionUpdate?, RefreshOutcome)
        /// The (opened) refresh token goes to UPS.
        case present(Secret)
    }

    private func plan(_ locked: LockedConnection, force: Bool, metadata: Logger.Metadata) throws -> Plan {
        let connection = locked.connection
        guard connection.holdsTokens, let tokens = locked.tokens else {
            return .settled(nil, .notAuthenticated(connection.status))
        }
        let now = clock.now()
        if !force, !connection.isDueForRefresh(at: now, policy: policy) {
            if connection.status == .blocked {
                return .settled(nil, .backingOff(until: connection.refreshHealth.nextAttemptAt))
            }
            if connection.refreshHealth.holdsBack(at: now, policy: policy) {
                return .settled(nil, .backingOff(until: connection.refreshHealth.nextAttemptAt))
            }
            if let expiry = connection.accessTokenExpiresAt { return .settled(nil, .notDue(accessTokenExpiresAt: expiry)) }
        }
        // UPS would refuse it anyway; a token past its life is not worth a call.
        if let refreshExpiry = connection.refreshTokenExpiresAt, refreshExpiry <= now {
            let transition = try connection.requireReauthorization(.refreshTokenExpired, by: Self.actor, at: now)
            return .settled(ConnectionUpdate(transition), .reauthorizationRequired(.refreshTokenExpired))
        }
        do {
            return .present(try secrets.open(tokens.refreshToken, context: SealedTokenPair.refreshTokenContext(connection.companyID)))
        } catch {
            logger.critical(
                "a stored UPS refresh token cannot be opened; nothing was sent to UPS", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return .settled(nil, .storageFailure(error.description))
        }
    }

    /// UPS's last answer to a refresh token: a new pair (sealed already), or the error that
    /// ended the attempts.
    private enum Answer: Sendable {
        case granted(TokenGrant, SealedTokenPair)
        case failed(AuthorizationServerError, attempts: Int)
    }

    /// Presents the refresh token, again after transient failures as `retry` allows.
    private func present(_ refreshToken: Secret, of company: CompanyID, metadata: Logger.Metadata) async throws -> Answer {
        var attempt = 1
        while true {
            let grant: TokenGrant
            do throws(AuthorizationServerError) {
                grant = try await server.refresh(refreshToken)
            } catch {
                guard error.kind == .transient, attempt < retry.maxAttempts else { return .failed(error, attempts: attempt) }
                let delay = retry.delay(beforeAttempt: attempt + 1, using: random) ?? .zero
                logger.info(
                    "UPS refresh failed for now; trying again",
                    metadata: metadata.merging([
                        "attempt": "\(attempt)", "retry_in": "\(delay)", "error": "\(error)",
                    ]) { $1 })
                try await sleep(delay)
                attempt += 1
                continue
            }
            return .granted(grant, try TokenSealing.seal(grant, for: company, with: secrets))
        }
    }

    /// What UPS's answer makes of `connection`: the update to store, the outcome, and the new
    /// access token when UPS issued one.
    private func settle(
        _ connection: UPSConnection, _ answer: Answer, metadata: Logger.Metadata
    ) throws -> (ConnectionUpdate?, RefreshOutcome, Secret?) {
        let error: AuthorizationServerError
        let attempt: Int
        switch answer {
        case .granted(let grant, let sealed):
            let refreshedAt = clock.now()
            let transition = try connection.refreshed(grant.lifetimes, at: refreshedAt, policy: policy)
            if connection.status == .blocked {
                logger.notice("UPS answers again for a blocked merchant; the company is authenticated again", metadata: metadata)
            }
            return (
                ConnectionUpdate(transition, newTokens: sealed, refreshedAt: refreshedAt),
                .refreshed(accessTokenExpiresAt: grant.lifetimes.accessTokenExpiresAt), grant.accessToken
            )
        case .failed(let failure, let attempts):
            error = failure
            attempt = attempts
        }
        switch error.kind {
        case .transient:
            let stays = connection.status == .blocked ? "the company stays blocked" : "the connection stays authenticated"
            let detail = "The token refresh failed \(attempt) time\(attempt == 1 ? "" : "s") (\(error)); \(stays) and will be tried again."
            let transition = try connection.refreshFailed(detail, by: Self.actor, at: clock.now(), policy: policy, random: random)
            return (ConnectionUpdate(transition), .transientFailure(error.description), nil)
        case .blocked:
            let detail =
                "UPS has blocked the merchant (\(error)). Opting in again does not help; the company's UPS account must be unblocked by UPS. IPM keeps the tokens and tries again every \(Self.duration(policy.blockedRetryInterval))."
            let transition = try connection.block(detail, by: Self.actor, at: clock.now(), policy: policy, random: random)
            if connection.status == .authenticated {
                logger.critical(
                    "UPS blocked the merchant (403 Blocked Merchant); the company is blocked, its tokens are kept",
                    metadata: metadata.merging([
                        "error": "\(error)",
                        "next_attempt": "\(transition.connection.refreshHealth.nextAttemptAt?.formatted(.iso8601) ?? "")",
                    ]) { $1 })
            } else {
                logger.error(
                    "UPS still blocks the merchant; trying again later",
                    metadata: metadata.merging([
                        "error": "\(error)",
                        "next_attempt": "\(transition.connection.refreshHealth.nextAttemptAt?.formatted(.iso8601) ?? "")",
                    ]) { $1 })
            }
            return (ConnectionUpdate(transition), .blocked(error.description), nil)
        case .refused:
            let transition = try connection.requireReauthorization(.refreshRefused, by: Self.actor, at: clock.now())
            return (ConnectionUpdate(transition), .reauthorizationRequired(.refreshRefused), nil)
        case .misconfigured:
            // Our UPS client id or secret is wrong: not the company's fault, so the
            // company is left exactly as it was.
            logger.critical(
                "UPS refused IPM's client credentials; check IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET",
                metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return (nil, .misconfigured(error.description), nil)
        }
    }

    /// As in "every …": "hour", "90 minutes", "45 seconds".
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        if whole % 3600 == 0 { return whole == 3600 ? "hour" : "\(whole / 3600) hours" }
        if whole % 60 == 0 { return whole == 60 ? "minute" : "\(whole / 60) minutes" }
        return whole == 1 ? "second" : "\(whole) seconds"
    }

    private func log(_ outcome: RefreshOutcome, _ metadata: Logger.Metadata) {
        switch outcome {
        case .refreshed, .notDue, .busy, .notAuthenticated, .backingOff:
            logger.debug("token refresh: \(outcome.label)", metadata: metadata)
        case .transientFailure:
            logger.warning("token refresh failed for now", metadata: metadata.merging(["outcome": "\(outcome)"]) { $1 })
        case .reauthorizationRequired:
            logger.warning("UPS refused a refresh token; the company needs re-authorization", metadata: metadata)
        case .misconfigured, .storageFailure, .blocked:
            break  // logged loudly where it happened
        }
    }
}
