public import Foundation

/// Dates as whole microseconds since 1970, the precision application times are kept in
/// (DECISIONS.md 5), without a trap: a date from outside (a cursor in a link, a row) can be
/// anything a `Double` holds, and `Int64(_:)` on one past the Int64 range stops the process.
extension Date {
    /// The date in whole microseconds since 1970, or `nil` when it is not finite or lies
    /// beyond what an Int64 of microseconds holds (about 292,000 years either way).
    public var microsecondsSince1970: Int64? {
        Int64(exactly: (timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date `microseconds` after 1970, exact: whole seconds and the fraction are
    /// converted apart, so no microsecond is lost to the `Double`.
    public init(microsecondsSince1970 microseconds: Int64) {
        let (seconds, fraction) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let (whole, part) = fraction < 0 ? (seconds - 1, fraction + 1_000_000) : (seconds, fraction)
        self.init(timeIntervalSince1970: Double(whole) + Double(part) / 1_000_000)
    }
}
