public import Foundation

/// How long before its expiry an access token is renewed (`IPM_REFRESH_MARGIN`).
public enum RefreshMargin: Sendable, Hashable {
    /// A fixed number of seconds.
    case fixed(TimeInterval)
    /// A share of the token's lifetime, but at least `minimum` seconds.
    case proportional(fraction: Double, minimum: TimeInterval)

    /// By default 10 % of the token's lifetime, at least 5 minutes.
    public static let standard = RefreshMargin.proportional(fraction: 0.1, minimum: 300)

    /// The margin as `max(minimum, fraction × lifetime)`: the one definition of the margin,
    /// which `seconds(forLifetime:)` computes and the database's query of due connections
    /// (`UPSConnectionRepository.dueForRefresh`) takes as its two parameters. A fixed margin
    /// is a fraction of 0 with the seconds as its minimum.
    public var terms: (fraction: Double, minimum: TimeInterval) {
        switch self {
        case .fixed(let seconds): (0, seconds)
        case .proportional(let fraction, let minimum): (fraction, minimum)
        }
    }

    public func seconds(forLifetime lifetime: TimeInterval) -> TimeInterval {
        let (fraction, minimum) = terms
        return max(minimum, lifetime * fraction)
    }
}
