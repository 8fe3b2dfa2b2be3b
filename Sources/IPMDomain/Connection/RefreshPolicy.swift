public import Foundation

/// When a connection is refreshed, and how failures slow it down: a margin before expiry,
/// exponential backoff with jitter after transient failures up to a cooldown, and a daily
/// budget of failed refreshes — one dead connection never turns into thousands of calls.
public struct RefreshPolicy: Sendable, Hashable {
    public var margin: RefreshMargin
    /// The wait after the first failure; it doubles with each further one.
    public var backoffBase: TimeInterval
    /// The longest wait between failed refreshes.
    public var cooldown: TimeInterval
    /// Failed refreshes of one connection per UTC day; then it waits for the next day.
    public var dailyFailureBudget: Int
    /// After this many consecutive transient failures the company's admins hear
    /// `refresh_failing` (once, until it recovers).
    public var failingThreshold: Int
    /// The wait between attempts while UPS blocks the merchant (403 "Blocked Merchant").
    public var blockedRetryInterval: TimeInterval
    /// At most one trouble announcement (`refresh_failing` or `blocked`, each followed by one
    /// `recovered`) per company within this period: a flapping connection does not flood.
    public var announcementPeriod: TimeInterval
    /// `refresh_token_expiring` is announced when the refresh token ends within this window
    /// and no refresh will renew it.
    public var expiryWarningWindow: TimeInterval

    public init(
        margin: RefreshMargin = .standard, backoffBase: TimeInterval = 30, cooldown: TimeInterval = 3600, dailyFailureBudget: Int = 24,
        failingThreshold: Int = 3, blockedRetryInterval: TimeInterval = 3600, announcementPeriod: TimeInterval = 3600,
        expiryWarningWindow: TimeInterval = 7 * 86_400
    ) {
        self.margin = margin
        self.backoffBase = max(0, backoffBase)
        self.cooldown = max(self.backoffBase, cooldown)
        self.dailyFailureBudget = max(1, dailyFailureBudget)
        self.failingThreshold = max(1, failingThreshold)
        self.blockedRetryInterval = max(1, blockedRetryInterval)
        self.announcementPeriod = max(0, announcementPeriod)
        self.expiryWarningWindow = max(0, expiryWarningWindow)
    }

    public static let standard = RefreshPolicy()

    /// The wait after `failures` consecutive failures: a random share between half and all
    /// of `min(cooldown, base · 2^(failures−1))`, so connections that failed together spread out.
    public func backoff(afterFailures failures: Int, random: any RandomSource) -> TimeInterval {
        guard failures > 0 else { return 0 }
        var window = backoffBase
        for _ in 1..<min(failures, 40) where window < cooldown { window *= 2 }
        window = min(window, cooldown)
        let unit = Double(random.bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) / Double(UInt32.max)
        return window * (0.5 + 0.5 * unit)
    }

    /// The wait before the next attempt while blocked: the interval, less up to a tenth at
    /// random, so blocked companies do not all knock at once.
    public func blockedRetry(random: any RandomSource) -> TimeInterval {
        let unit = Double(random.bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) / Double(UInt32.max)
        return blockedRetryInterval * (0.9 + 0.1 * unit)
    }

    /// The UTC day of `date`, as the budget counts it (`yyyy-mm-dd`).
    public static func day(of date: Date) -> String {
        UTCDateTime(date).dayText
    }
}

/// How a connection's refreshes have been going.
public struct RefreshHealth: Sendable, Hashable {
    /// Transient failures since the last success.
    public var consecutiveFailures: Int
    /// Not refreshed (unless forced) before this time.
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// Failed refreshes on `failureDay` (UTC, `yyyy-mm-dd`).
    public var failuresToday: Int
    public var failureDay: String?

    public init(consecutiveFailures: Int = 0, nextAttemptAt: Date? = nil, lastError: String? = nil, failuresToday: Int = 0, failureDay: String? = nil)
    {
        self.consecutiveFailures = consecutiveFailures
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.failuresToday = failuresToday
        self.failureDay = failureDay
    }

    public static let healthy = RefreshHealth()

    /// Whether a failure budget or a backoff holds refreshes back at `now`.
    public func holdsBack(at now: Date, policy: RefreshPolicy) -> Bool {
        if let nextAttemptAt, now < nextAttemptAt { return true }
        return failureDay == RefreshPolicy.day(of: now) && failuresToday >= policy.dailyFailureBudget
    }
}
