public import Foundation

/// The time, injected so tests can move it.
public protocol Clock: Sendable {
    func now() -> Date
}

/// The system time to the whole microsecond, the precision PostgreSQL stores, so a time
/// written and read back compares equal.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date {
        // Same arithmetic as the timestamp decoder: whole seconds plus microseconds.
        let micros = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros - seconds * 1_000_000) / 1_000_000)
    }
}
