public import IPMDomain
import Synchronization

/// The token API's engine: a company's valid access token, with one refresh per company at
/// a time in this process (concurrent callers share it) and one across instances (the row lock).
/// Renewals after a 401 are shared the same way, and for a short window after one the token it
/// gave is handed to callers refused that very token without asking the database again, so a
/// storm of 401s neither churns the company's refresh tokens nor queues on its row lock with
/// one pooled connection per caller.
public final class UPSAccessTokens: UPSAccessTokenProviding {
    private let refresher: UPSTokenRefresher
    private let inFlight = Mutex<[CompanyID: Task<IssuedAccessToken, any Error>]>([:])
    private let renewals = Mutex<[CompanyID: Task<IssuedAccessToken, any Error>]>([:])
    /// The last renewal's token per company, and when it was handed out.
    private let recentRenewals = Mutex<[CompanyID: (token: IssuedAccessToken, at: ContinuousClock.Instant)]>([:])

    public init(refresher: UPSTokenRefresher) {
        self.refresher = refresher
    }

    public func accessToken(for company: CompanyID) async throws -> IssuedAccessToken {
        try await shared(company, in: inFlight) { [refresher] in try await refresher.accessToken(for: company) }
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
