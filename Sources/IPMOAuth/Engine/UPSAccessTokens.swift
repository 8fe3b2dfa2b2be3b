public import IPMDomain
import Synchronization

/// The token API's engine: a company's valid access token, with one refresh per company at
/// a time in this process (concurrent callers share it) and one across instances (the row lock).
public final class UPSAccessTokens: UPSAccessTokenProviding {
    private let refresher: UPSTokenRefresher
    private let inFlight = Mutex<[CompanyID: Task<IssuedAccessToken, any Error>]>([:])

    public init(refresher: UPSTokenRefresher) {
        self.refresher = refresher
    }

    public func accessToken(for company: CompanyID) async throws -> IssuedAccessToken {
        let started = ContinuousClock.now
        defer { refresher.metrics.recordTokenAPI(duration: .now - started) }
        let task = inFlight.withLock { tasks in
            if let running = tasks[company] { return running }
            let refresher = self.refresher
            let task = Task { try await refresher.accessToken(for: company) }
            tasks[company] = task
            return task
        }
        defer {
            inFlight.withLock { tasks in
                if tasks[company] == task { tasks[company] = nil }
            }
        }
        return try await task.value
    }
}
