public import IPMDomain

/// How often and how patiently to retry a transient failure: bounded attempts, exponential
/// backoff with full jitter (a random delay in `0...min(maxDelay, baseDelay·2ⁿ)`), so many
/// instances that failed together do not come back together.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; at least 1.
    public let maxAttempts: Int
    /// The jitter window before the second attempt; it doubles for each further attempt.
    public let baseDelay: Duration
    /// The window never grows past this.
    public let maxDelay: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(.zero, maxDelay)
    }

    /// The longest wait before `attempt` (1-based): zero for the first.
    public func ceiling(beforeAttempt attempt: Int) -> Duration {
        guard attempt > 1 else { return .zero }
        var window = min(baseDelay, maxDelay)
        for _ in 0..<(attempt - 2) where window < maxDelay {
            window = min(window * 2, maxDelay)
        }
        return window
    }

    /// How long to wait before `attempt` (1-based): zero for the first, a random share of
    /// the window after that, nil once the attempts are used up.
    public func delay(beforeAttempt attempt: Int, using random: any RandomSource) -> Duration? {
        guard attempt <= maxAttempts else { return nil }
        guard attempt > 1 else { return .zero }
        return ceiling(beforeAttempt: attempt) * Self.unitInterval(random)
    }

    /// A uniform value in `0..<1` from 53 random bits, as many as a Double holds exactly.
    private static func unitInterval(_ random: any RandomSource) -> Double {
        let bits = random.bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(bits >> 11) / Double(UInt64(1) << 53)
    }
}

/// Runs `operation` until it succeeds, fails with anything but `.transient`, or the policy's
/// attempts are spent; the last error is rethrown. `sleep` is injectable for tests; when it
/// throws (the task was cancelled) the retries stop and the last error is rethrown.
public func withRetries<T>(
    _ policy: RetryPolicy,
    using random: any RandomSource,
    sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    _ operation: (_ attempt: Int) async throws(AuthorizationServerError) -> T
) async throws(AuthorizationServerError) -> T {
    var attempt = 1
    while true {
        do throws(AuthorizationServerError) {
            return try await operation(attempt)
        } catch {
            let failure = error
            attempt += 1
            guard failure.kind == .transient, let delay = policy.delay(beforeAttempt: attempt, using: random) else { throw failure }
            do { try await sleep(delay) } catch { throw failure }
        }
    }
}
