import Foundation
import IPMDomain

/// `timestamptz` text in and out, by hand: exact to the microsecond, no `DateFormatter`
/// (locale- and thread-sensitive), and tolerant of what PostgreSQL actually prints
/// (`2026-11-29 03:15:00.123456+00`, no fraction when it is zero, `+05:30`, years past 9999).
enum PostgresTimestamp {
    /// `2026-11-29T03:15:00.123456Z`. A date past what an Int64 of microseconds holds (or
    /// not finite) is PostgreSQL's `infinity`/`-infinity`, never a trap: bound dates can come
    /// from outside.
    static func format(_ date: Date) -> String {
        guard let micros = Int64(exactly: (date.timeIntervalSince1970 * 1_000_000).rounded()) else {
            return date.timeIntervalSince1970 < 0 ? "-infinity" : "infinity"
        }
        let (seconds, fraction) = micros.floorDivided(by: 1_000_000)
        return UTCDateTime(secondsSince1970: Int(seconds)).iso8601Text(microseconds: Int(fraction))
    }

    static func parse(_ text: String) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        // PostgreSQL prints years up to 294276: six digits keep the arithmetic below far from overflow.
        guard let year = scanner.number(minDigits: 4, maxDigits: 6), scanner.take("-"),
            let month = scanner.number(digits: 2), scanner.take("-"),
            let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Int64(UTCDateTime.daysSince1970(year: Int(year), month: Int(month), day: Int(day))) * 86_400
        var micros: Int64 = 0
        if scanner.take(" ") || scanner.take("T") {
            guard let hour = scanner.number(digits: 2), scanner.take(":"),
                let minute = scanner.number(digits: 2), scanner.take(":"),
                let second = scanner.number(digits: 2),
                hour <= 24, minute < 60, second <= 60
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if scanner.take(".") {
                let start = scanner.index
                guard let fraction = scanner.number(minDigits: 1) else { return nil }
                let digits = scanner.index - start
                guard digits <= 9 else { return nil }
                micros = digits <= 6 ? fraction * Int64(pow10(6 - digits)) : fraction / Int64(pow10(digits - 6))
            }
            // No offset: a `timestamp` column, read as UTC like the session's time zone.
            if scanner.take("Z") {
            } else if let sign = scanner.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                scanner.index += 1
                guard let offsetHours = scanner.number(digits: 2) else { return nil }
                var offset = offsetHours * 3600
                if scanner.take(":") {
                    guard let offsetMinutes = scanner.number(digits: 2) else { return nil }
                    offset += offsetMinutes * 60
                    if scanner.take(":") {
                        guard let offsetSeconds = scanner.number(digits: 2) else { return nil }
                        offset += offsetSeconds
                    }
                }
                seconds -= sign == UInt8(ascii: "+") ? offset : -offset
            }
        }
        guard scanner.isAtEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard peek() == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func number(digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            return number(minDigits: digits, maxDigits: digits)
        }

        mutating func number(minDigits: Int, maxDigits: Int = 18) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while count < maxDigits, let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
                count += 1
            }
            return count >= minDigits ? value : nil
        }
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, with a non-negative remainder.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self / divisor
        let remainder = self % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
