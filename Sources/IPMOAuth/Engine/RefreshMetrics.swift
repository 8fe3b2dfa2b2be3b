public import CoreMetrics
public import IPMDomain

/// What the refresher reports through swift-metrics (names in README.md; the token API is
/// timed by its HTTP route, labelled by outcome).
/// The factory is whatever the process bootstrapped (Prometheus in `ipm-server`); tests pass
/// their own.
public struct RefreshMetrics: Sendable {
    /// Refreshes by outcome: `ipm_token_refreshes_total{outcome=…}`.
    static let refreshes = "ipm_token_refreshes_total"
    /// How long refreshes that reached UPS took, lock to commit.
    static let refreshDuration = "ipm_token_refresh_duration_seconds"

    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Counts one refresh; its duration too when UPS was asked.
    func record(_ outcome: RefreshOutcome, duration: Duration) {
        Counter(label: Self.refreshes, dimensions: [("outcome", outcome.metricLabel)], factory: factory).increment()
        if outcome.calledUPS {
            CoreMetrics.Timer(label: Self.refreshDuration, factory: factory).recordNanoseconds(duration.nanoseconds)
        }
    }
}

extension RefreshOutcome {
    /// The `outcome` label of `ipm_token_refreshes_total`.
    public var metricLabel: String {
        switch self {
        case .refreshed: "succeeded"
        case .transientFailure: "transient"
        case .reauthorizationRequired(.refreshTokenExpired): "expired"
        case .reauthorizationRequired: "refused"
        case .misconfigured: "misconfigured"
        case .blocked: "blocked"
        case .backingOff: "backing_off"
        case .busy: "busy"
        case .notDue: "not_due"
        case .notAuthenticated: "not_authenticated"
        case .storageFailure: "storage_failure"
        }
    }

    /// Whether this refresh sent something to UPS (its latency is worth timing).
    var calledUPS: Bool {
        switch self {
        case .refreshed, .transientFailure, .misconfigured, .blocked, .reauthorizationRequired(.refreshRefused),
            .reauthorizationRequired(.accessRefused):
            true
        case .reauthorizationRequired(.refreshTokenExpired), .backingOff, .busy, .notDue, .notAuthenticated, .storageFailure: false
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
