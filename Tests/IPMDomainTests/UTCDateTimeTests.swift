import Foundation
import IPMDomain
import Testing

@Suite("UTC date and time without Calendar")
struct UTCDateTimeTests {
    /// From 1583: before the 1582 reform Foundation's Gregorian calendar counts Julian days.
    @Test("the same date and time as Foundation's Gregorian calendar in UTC from 1583, leap days and times before 1970 included")
    func agreesWithCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = SystemRandomNumberGenerator()
        var seconds = [0, 59, 86_399, 86_400, -1, -86_400, -86_401, 951_782_400, 951_868_799, 4_107_542_399, 253_402_300_799]
        seconds += (0..<3000).map { _ in Int.random(in: -12_212_553_600..<253_402_300_800, using: &random) }
        for second in seconds {
            let date = Date(timeIntervalSince1970: Double(second))
            let expected = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let computed = UTCDateTime(secondsSince1970: second)
            #expect(
                [computed.year, computed.month, computed.day, computed.hour, computed.minute, computed.second]
                    == [expected.year, expected.month, expected.day, expected.hour, expected.minute, expected.second], "\(second)")
            if (0..<253_402_300_800).contains(second) {
                #expect(computed.iso8601Text() == date.formatted(.iso8601), "\(second)")
            }
        }
    }

    @Test("fractions of a second round down, before 1970 too")
    func roundsDown() {
        #expect(UTCDateTime(Date(timeIntervalSince1970: 86_399.999)).iso8601Text() == "1970-01-01T23:59:59Z")
        #expect(UTCDateTime(Date(timeIntervalSince1970: -0.5)).iso8601Text() == "1969-12-31T23:59:59Z")
        #expect(UTCDateTime(Date(timeIntervalSince1970: 951_782_400)).dayText == "2000-02-29")
        #expect(UTCDateTime(secondsSince1970: 0).iso8601Text(microseconds: 42) == "1970-01-01T00:00:00.000042Z")
        #expect(UTCDateTime(secondsSince1970: 253_402_300_800).iso8601Text() == "10000-01-01T00:00:00Z")
    }
}
