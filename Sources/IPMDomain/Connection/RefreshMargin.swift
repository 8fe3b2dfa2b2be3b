public import Foundation

/// How long before its expiry an access token is renewed (`IPM_REFRESH_MARGIN`).
public enum RefreshMargin: Sendable, Hashable {
    /// A fixed number of seconds.
    case fixed(TimeInterval)
    /// A share of the token's lifetime, but at least `minimum` seconds.
    case proportional(fraction: Double, minimum: TimeInterval)

    /// By default 10 % of the token's lifetime, at least 5 minutes.
    public static let standard = RefreshMargin.proportional(fraction: 0.1, minimum: 300)

    public func seconds(forLifetime lifetime: TimeInterval) -> TimeInterval {
        switch self {
        case .fixed(let seconds): seconds
        case .proportional(let fraction, let minimum): max(minimum, lifetime * fraction)
        }
    }
}
