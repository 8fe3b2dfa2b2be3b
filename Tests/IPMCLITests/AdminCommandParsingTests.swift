import Foundation
import IPMDomain
import Testing

@testable import IPMCLI

/// The admin commands' small parsers, without a database.
@Suite("ipm admin command parsing")
struct AdminCommandParsingTests {
    @Test(arguments: [("90", 90), ("90s", 90), ("10m", 600), ("1h", 3600), (" 2M ", 120)])
    func timeoutsAcceptSecondsMinutesAndHours(text: String, seconds: Int) {
        #expect(WaitTime(argument: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "0", "-5", "ten", "5d", "25h"])
    func badTimeoutsAreRefused(text: String) {
        #expect(WaitTime(argument: text) == nil)
    }

    @Test func auditCursorsRoundTripToTheMicrosecond() throws {
        let id = AuditEventID()
        for seconds in [1_795_000_000.123456, 0.000001, 1_000_000_000] {
            let cursor = AuditCursor(occurredAt: Date(timeIntervalSince1970: seconds), id: id)
            let parsed = try #require(AuditCursor(text: cursor.text))
            #expect(parsed.id == id)
            #expect(abs(parsed.occurredAt.timeIntervalSince1970 - seconds) < 0.000_001)
            #expect(parsed.text == cursor.text)
        }
        #expect(AuditCursor(text: "yesterday") == nil)
        #expect(AuditCursor(text: "12_not-a-uuid") == nil)
    }

    @Test func startAddressIsIPMsOwnPage() {
        let company = CompanyID()
        let url = OAuthCommand.OptIn.startURL(publicURL: URL(string: "https://ipm.example.com/")!, company: company)
        #expect(url.absoluteString == "https://ipm.example.com/oauth/ups/start?company=\(company)")
    }

    @Test func colourIsOffWhenAskedOrDumb() {
        #expect(!TerminalStyle.standardOutput(environment: ["NO_COLOR": "1"]).colors)
        #expect(!TerminalStyle.standardOutput(environment: ["TERM": "dumb"]).colors)
        #expect(TerminalStyle(colors: true).paint("Authenticated", .green) == "\u{1B}[32mAuthenticated\u{1B}[0m")
        #expect(TerminalStyle(colors: false).paint("Authenticated", .green) == "Authenticated")
    }
}
