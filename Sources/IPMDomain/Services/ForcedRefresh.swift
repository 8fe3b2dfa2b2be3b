public import Foundation

/// One forced refresh per company per interval, counted across every instance, so that a
/// button or a script cannot spend a company's single-use refresh tokens in a loop.
public protocol ForcedRefreshThrottle: Sendable {
    /// Takes the company's forced refresh at `now` when the last one is at least `interval` old.
    /// Of concurrent callers, one takes it.
    /// - Returns: `nil` when taken; else when the next forced refresh is allowed.
    func take(_ company: CompanyID, by admin: AdminID, at now: Date, interval: TimeInterval) async throws -> Date?
}

/// What came of an admin's "Refresh now".
public enum ForcedRefreshResult: Sendable, Hashable {
    /// The refresher ran; `.busy` when another refresh of the company was under way.
    case attempted(RefreshOutcome)
    /// A forced refresh of this company ran less than the interval ago; nothing was sent to
    /// UPS. The next one is allowed in `retryAfter` whole seconds (at least 1).
    case limited(retryAfter: Int)
}

/// "Refresh now": a company admin forces a refresh of its UPS tokens through the same
/// refresher as the worker and `ipm tokens refresh --force` (row lock, lease, retries), with
/// one difference: a refresh already under way is reported busy, not waited for and then
/// repeated. At most one per company per `interval`; each one is recorded as the admin's.
public struct ForcedRefresh: Sendable {
    private let access: CompanyAccess
    private let refresher: any UPSTokenRefreshing
    private let throttle: any ForcedRefreshThrottle
    private let audit: any AuditEventRepository
    private let clock: any Clock
    /// Seconds between two forced refreshes of one company (`IPM_FORCED_REFRESH_INTERVAL`).
    public let interval: TimeInterval

    public init(
        access: CompanyAccess, refresher: any UPSTokenRefreshing, throttle: any ForcedRefreshThrottle,
        audit: any AuditEventRepository, clock: any Clock, interval: TimeInterval = 30
    ) {
        self.access = access
        self.refresher = refresher
        self.throttle = throttle
        self.audit = audit
        self.clock = clock
        self.interval = interval
    }

    /// Viewers are refused (`forbidden`), non-members get `companyNotFound`; neither is counted.
    public func refresh(_ reference: CompanyReference, by admin: Admin) async throws -> ForcedRefreshResult {
        let (company, _) = try await access.authorize(.refreshTokens, reference, admin)
        let now = clock.now()
        if let allowedAt = try await throttle.take(company.id, by: admin.id, at: now, interval: interval) {
            return .limited(retryAfter: max(1, Int(allowedAt.timeIntervalSince(now).rounded(.up))))
        }
        let outcome = await refresher.refresh(company.id, force: true, lock: .skipIfLocked)
        try await audit.append(
            AuditEvent(
                companyID: company.id, actor: .admin(admin.id, admin.signInName), occurredAt: clock.now(),
                action: .refreshForced, detail: "Outcome: \(outcome.description)."
            ))
        return .attempted(outcome)
    }
}
