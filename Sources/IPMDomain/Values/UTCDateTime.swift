public import Foundation

/// A moment's UTC calendar date and time of day, in whole seconds, computed arithmetically:
/// the proleptic Gregorian calendar (Foundation's agrees from 1583) by the civil-from-days
/// algorithm of Howard Hinnant's "chrono-compatible low-level date algorithms". Foundation's
/// `Calendar` and `String(format:)` did the same per refresh and per token answer, and showed
/// in their profiles (decision 80).
public struct UTCDateTime: Sendable, Hashable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int

    /// `date` rounded down to the whole second.
    public init(_ date: Date) {
        self.init(secondsSince1970: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    public init(secondsSince1970 seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the inverse, Howard
    /// Hinnant's `days_from_civil`); `month` 1–12, `day` 1–31.
    public static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `yyyy-mm-dd` (years 0–9999 in four digits; others as they are).
    public var dayText: String {
        Self.digits(year, 4) + "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2)
    }

    /// `yyyy-mm-ddThh:mm:ssZ`, as `ISO8601FormatStyle` writes it by default; with
    /// `microseconds` (0–999,999), `.ffffff` before the `Z`, as PostgreSQL reads a `timestamptz`.
    public func iso8601Text(microseconds: Int? = nil) -> String {
        let time = dayText + "T" + Self.digits(hour, 2) + ":" + Self.digits(minute, 2) + ":" + Self.digits(second, 2)
        guard let microseconds else { return time + "Z" }
        return time + "." + Self.digits(microseconds, 6) + "Z"
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        guard value >= 0, text.utf8.count < width else { return text }
        return String(repeating: "0", count: width - text.utf8.count) + text
    }
}
