public import IPMDomain
import Synchronization

/// The token API's engine: a company's valid access token, with one refresh per company at
/// a time in this process (concurrent callers share it) and one across instances (the row lock).
/// Renewals after a 401 are shared the same way, and for a short window after one the token it
/// gave is handed to callers refused that very token without asking the database again, so a
/// storm of 401s neither churns the company's refresh tokens nor queues on its row lock with
/// one pooled connection per caller.
///
/// With an `AccessTokenCache`, a token outside the refresh margin is handed out from memory
/// while the change feed listens (decision 66); everything else takes the path above.
public final class UPSAccessTokens: UPSAccessTokenProviding {
    private let refresher: UPSTokenRefresher
    private let cache: AccessTokenCache?
    /// Reads under way, each with the cache ticket taken before it read the database.
    private let inFlight = Mutex<[CompanyID: (task: Task<IssuedAccessToken, any Error>, ticket: AccessTokenCache.Ticket?)]>([:])
    private let renewals = Mutex<[CompanyID: Task<IssuedAccessToken, any Error>]>([:])
    /// The last renewal's token per company, and when it was handed out.
    private let recentRenewals = Mutex<[CompanyID: (token: IssuedAccessToken, at: ContinuousClock.Instant)]>([:])

    public init(refresher: UPSTokenRefresher, cache: AccessTokenCache? = nil) {
        self.refresher = refresher
        self.cache = cache
    }

    public func accessToken(for company: CompanyID) async throws -> IssuedAccessToken {
        if let cached = cache?.token(for: company, at: refresher.clock.now()) { return cached }
        return try await read(company)
    }

    /// Reads the company's token through the refresher, once for every caller that asks while
    /// the read runs — unless a change of the company was reported after that read began: a
    /// caller who asks after the notification never gets what was read before it. A token the
    /// refresher read as stored, outside the margin, is kept in the cache.
    private func read(_ company: CompanyID) async throws -> IssuedAccessToken {
        let task = inFlight.withLock { running in
            if let read = running[company] {
                let stale = read.ticket.map { ticket in cache?.changed(company, since: ticket) ?? false } ?? false
                if !stale { return read.task }
            }
            let ticket = cache?.ticket()
            let task = Task { [refresher, cache] in
                let (issued, servable) = try await refresher.servableAccessToken(for: company)
                if let cache, let ticket, let servable { cache.store(issued, servable, for: company, ticket: ticket) }
                return issued
            }
            running[company] = (task, ticket)
            return task
        }
        defer {
            inFlight.withLock { running in
                if running[company]?.task == task { running[company] = nil }
            }
        }
        return try await task.value
    }

    public func accessToken(for company: CompanyID, replacing rejected: Secret) async throws -> IssuedAccessToken {
        let window = refresher.forcedRefreshWindow
        let remembered = recentRenewals.withLock { recent -> IssuedAccessToken? in
            guard let last = recent[company] else { return nil }
            guard ContinuousClock.now - last.at < window else {
                recent[company] = nil
                return nil
            }
            return last.token.token == rejected ? last.token : nil
        }
        if let remembered { return remembered }
        // Not to be handed out again, even before this process hears of the renewal.
        cache?.forget(company, holding: rejected)
        let renewed = try await shared(company, in: renewals) { [refresher] in try await refresher.accessToken(for: company, replacing: rejected) }
        recentRenewals.withLock { $0[company] = (renewed, .now) }
        return renewed
    }

    /// Runs `work` once for every caller that asks for `company` while it runs.
    private func shared(
        _ company: CompanyID, in tasks: borrowing Mutex<[CompanyID: Task<IssuedAccessToken, any Error>]>,
        _ work: @escaping @Sendable () async throws -> IssuedAccessToken
    ) async throws -> IssuedAccessToken {
        let task = tasks.withLock { running in
            if let task = running[company] { return task }
            let task = Task { try await work() }
            running[company] = task
            return task
        }
        defer {
            tasks.withLock { running in
                if running[company] == task { running[company] = nil }
            }
        }
        return try await task.value
    }
}
