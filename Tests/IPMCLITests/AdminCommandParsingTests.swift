import Foundation
@testable import IPMCLI
import IPMDomain
import Testing

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
            let parsed = try #require(AuditPageCursor.parse(AuditPageCursor.text(cursor)))
            #expect(parsed.id == id)
            #expect(abs(parsed.occurredAt.timeIntervalSince1970 - seconds) < 0.000_001)
            #expect(AuditPageCursor.text(parsed) == AuditPageCursor.text(cursor))
        }
        #expect(AuditPageCursor.parse("yesterday") == nil)
        #expect(AuditPageCursor.parse("12.not-a-uuid") == nil)
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

    @Test func tokenStoreFollowsXDG() throws {
        #expect(try CredentialStore.standard(environment: ["XDG_CONFIG_HOME": "/tmp/x/", "HOME": "/home/a"]).file == "/tmp/x/ipm/session")
        #expect(try CredentialStore.standard(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/a"]).file == "/home/a/.config/ipm/session")
    }

    @Test func eachServerHasATokenFileOfItsOwn() throws {
        let home = ["XDG_CONFIG_HOME": "/tmp/x"]
        func file(_ url: String) throws -> String {
            try CredentialStore.standard(for: .server(URL(string: url)!), environment: home).file
        }
        #expect(try file("https://IPM.example.com/") == "/tmp/x/ipm/session@https_ipm.example.com_443")
        #expect(try file("https://ipm.example.com:443/ipm") == "/tmp/x/ipm/session@https_ipm.example.com_443", "one origin, one token")
        #expect(try file("http://127.0.0.1:8080") == "/tmp/x/ipm/session@http_127.0.0.1_8080")
        #expect(try file("http://[::1]:8080").hasPrefix("/tmp/x/ipm/session@http_"))
        #expect(try !file("http://[::1]:8080").dropFirst("/tmp/x/ipm/".count).contains(where: { ":/[]".contains($0) }))
        #expect(try file("https://evil/../x") != "/tmp/x/session", "the host never becomes a path")
    }

    @Test func plainHTTPOnlyToThisMachineUnlessInsecure() throws {
        func connection(_ arguments: [String]) throws -> AdminConnection {
            try ConnectionOptions.connection(server: arguments[1], insecure: arguments.contains("--insecure"), environment: [:])
        }
        #expect(try connection(["--server", "http://127.0.0.1:8080"]) == .server(URL(string: "http://127.0.0.1:8080")!))
        #expect(try connection(["--server", "http://localhost:8080"]) == .server(URL(string: "http://localhost:8080")!))
        #expect(try connection(["--server", "http://[::1]:8080"]) == .server(URL(string: "http://[::1]:8080")!))
        #expect(try connection(["--server", "https://ipm.example.com"]) == .server(URL(string: "https://ipm.example.com")!))
        #expect(throws: (any Error).self) { try connection(["--server", "http://ipm.example.com"]) }
        #expect(throws: (any Error).self) { try connection(["--server", "http://127.0.0.1.example.com"]) }
        #expect(throws: (any Error).self) { try connection(["--server", "http://127.evil.example"]) }
        #expect(try connection(["--server", "http://127.0.0.2:8080"]) == .server(URL(string: "http://127.0.0.2:8080")!))
        #expect(try connection(["--server", "http://ipm.example.com", "--insecure"]) == .server(URL(string: "http://ipm.example.com")!))
        #expect(throws: (any Error).self) { try connection(["--server", "https://ipm.example.com/?x=1"]) }
        #expect(try ConnectionOptions.connection(server: nil, insecure: false, environment: ["IPM_SERVER": "https://a.example"]) == .server(URL(string: "https://a.example")!))
        #expect(try ConnectionOptions.connection(server: nil, insecure: false, environment: ["IPM_SERVER": ""]) == .database)
    }
}
