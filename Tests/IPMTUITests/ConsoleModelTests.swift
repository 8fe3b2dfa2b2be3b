import Foundation
import IPMConsole
import IPMDomain
import Testing

@testable import IPMTUI

/// The screens rendered into an in-memory grid, driven by the same inputs the runner feeds them.
@Suite struct ConsoleModelTests {
    static let now = Date(timeIntervalSince1970: 1_796_151_600)  // 2026-12-01 19:00 UTC
    static let publicURL = URL(string: "http://127.0.0.1:8080")!

    static func company(_ name: String, _ status: ConnectionStatus, role: Role = .admin, failures: Int = 0, reason: String? = nil) -> CompanyOverview
    {
        let id = CompanyID()
        let holds = status == .authenticated || status == .blocked
        let connection = UPSConnection(
            companyID: id, status: status, authorizedAt: holds ? now.addingTimeInterval(-3600) : nil,
            accessTokenExpiresAt: holds ? now.addingTimeInterval(4 * 3600) : nil,
            refreshTokenExpiresAt: holds ? now.addingTimeInterval(60 * 86_400) : nil,
            reauthorizationMessage: reason,
            refreshHealth: RefreshHealth(consecutiveFailures: failures, lastError: failures > 0 ? "UPS answered 503" : nil),
            lastRefreshedAt: holds ? now.addingTimeInterval(-600) : nil
        )
        return CompanyOverview(company: Company(id: id, name: try! CompanyName(name), createdAt: now), role: role, connection: connection)
    }

    static let reason = "UPS refused the refresh token, typically because the UPS.com user's password was changed. An admin must opt in again."

    static let companies = [
        company("Acme Logistics", .authenticated),
        company("Beta Freight International Holdings Worldwide", .notConnected),
        company("Gamma Parcel", .reauthorizationRequired, reason: reason),
        company("Delta Shipping", .optedOut, role: .viewer),
        company("Epsilon", .authenticated, failures: 3),
    ]

    func signedIn(size: TerminalSize = .standard) -> ConsoleModel {
        var model = ConsoleModel(size: size, now: Self.now, timeZone: TimeZone(identifier: "UTC")!)
        let r1 = model.handle(.signedIn(displayName: "Ada Admin", publicURL: Self.publicURL))
        #expect(r1 == [.loadCompanies, .loadNotifications])
        _ = model.handle(.companies(Self.companies))
        _ = model.handle(
            .notifications([
                NotificationEntry(
                    id: AuditEventID(), companyID: Self.companies[2].company.id, companyName: "Gamma Parcel", kind: .reauthorizationRequired,
                    message: "Re-authorization required", occurredAt: Self.now, isRead: false)
            ]))
        return model
    }

    @Test func companiesAt80x24() {
        var model = signedIn()
        let text = model.draw().lines
        #expect(text.count == 24)
        #expect(
            Array(text.prefix(9)) == [
                " IPM — Companies                                           Ada Admin · 1 unread",
                "",
                "  NAME          STATUS                    ROLE   EXPIRES     REFRESHED   HEALTH",
                "> Acme Logisti… Authenticated             admin  23:00       18:50       ok",
                "  Beta Freight… Not connected             admin  -           -           -",
                "  Delta Shippi… Opted out                 viewer -           -           -",
                "  Epsilon       Authenticated             admin  23:00       18:50       failing",
                "  Gamma Parcel  Re-authorization required admin  -           -           -",
                "",
            ])
        #expect(text[23] == " ↑/↓ Select  Enter Open  / Filter  n Notifications  ? Help  q Quit")
        for line in text { #expect(line.count <= 80) }
    }

    @Test func wideNamesKeepTheColumnsInPlace() {
        var model = signedIn()
        _ = model.handle(.companies(Self.companies + [Self.company("日本通運株式会社 東京", .authenticated), Self.company("Łódź Parcel 📦", .notConnected)]))
        let text = model.draw().lines
        let wide = try! #require(text.first { $0.contains("日本") })
        let emoji = try! #require(text.first { $0.contains("Łódź") })
        let acme = try! #require(text.first { $0.contains("Acme") })
        #expect(wide == "  日本通運株式… Authenticated             admin  23:00       18:50       ok")
        #expect(emoji.hasPrefix("  Łódź Parcel … Not connected"))
        // The status column starts in the same cell on every row.
        #expect(
            String(wide[..<wide.range(of: "Authenticated")!.lowerBound]).cellWidth
                == String(acme[..<acme.range(of: "Authenticated")!.lowerBound]).cellWidth)
        #expect(
            String(emoji[..<emoji.range(of: "Not connected")!.lowerBound]).cellWidth
                == String(acme[..<acme.range(of: "Authenticated")!.lowerBound]).cellWidth)
        for line in text { #expect(line.cellWidth <= 80, "\(line)") }
    }

    @Test func aResizeRedrawsWithoutOverlap() {
        var model = signedIn()
        _ = model.draw()
        model.resize(TerminalSize(columns: 50, rows: 10))
        let text = model.draw().lines
        #expect(text.count == 10)
        for line in text { #expect(line.count <= 50) }
        #expect(text[0].hasPrefix(" IPM — Companies"))
        #expect(text[3].hasPrefix("> Acme"))
        #expect(text[9].hasPrefix(" ↑/↓ Select"))
        model.resize(TerminalSize(columns: 120, rows: 30))
        let r2 = model.draw().lines[3]
        #expect(r2.hasPrefix("> Acme Logistics"))
    }

    @Test func slashFiltersByName() {
        var model = signedIn()
        _ = model.handle(.key(.character("/")))
        for character in "gam" { _ = model.handle(.key(.character(character))) }
        var lines = model.draw().lines
        #expect(lines[3].hasPrefix("> Gamma Parcel"))
        #expect(lines[4] == "")
        #expect(lines[22].hasPrefix(" Filter: [gam"))
        _ = model.handle(.key(.escape))
        lines = model.draw().lines
        #expect(lines[7].hasPrefix("  Gamma"))
    }

    @Test func theListUpdatesWithoutAKeyPress() {
        var model = signedIn()
        let r3 = model.handle(.tick(Self.now.addingTimeInterval(1)))
        #expect(r3 == [])
        let r4 = model.handle(.tick(Self.now.addingTimeInterval(2.5)))
        #expect(r4 == [.loadCompanies, .loadNotifications])
        var list = Self.companies
        list[1] = CompanyOverview(
            company: list[1].company, role: .admin, connection: UPSConnection(companyID: list[1].company.id, status: .authenticated))
        _ = model.handle(.companies(list))
        let r5 = model.draw().lines[4]
        #expect(r5.contains("Authenticated"))
    }

    @Test func companyScreenInTheSeedsWords() {
        var model = signedIn()
        _ = model.handle(.key(.down))
        _ = model.handle(.key(.down))
        _ = model.handle(.key(.down))
        _ = model.handle(.key(.down))  // Gamma
        let r6 = model.handle(.key(.enter))
        #expect(r6 == [.loadCompany(Self.companies[2].company.id)])
        _ = model.handle(.company(Self.companies[2]))
        let text = model.draw().text
        #expect(text.contains("Re-authorization required"))
        #expect(words(text).contains(Self.reason), "the reason in full")
        #expect(text.contains("o Opt in again"))
    }

    @Test func aViewerSeesTheActionsDisabledWithWhy() {
        var model = signedIn()
        for _ in 0..<2 { _ = model.handle(.key(.down)) }
        _ = model.handle(.key(.enter))
        _ = model.handle(.company(Self.companies[3]))
        let r7 = words(model.draw().text)
        #expect(r7.contains("Opt-in and opt-out are disabled: your role (viewer) can only view this company."))
        let r8 = model.handle(.key(.character("o")))
        #expect(r8 == [])
        let r9 = model.handle(.key(.character("x")))
        #expect(r9 == [])
        let r10 = model.draw().lines[22]
        #expect(r10 == " Your role (viewer) cannot opt out; ask an admin of Delta Shipping.")
    }

    @Test func optInShowsTheStartAddressCountsDownAndSucceedsByItself() {
        var model = signedIn()
        _ = model.handle(.key(.enter))
        let acme = Self.companies[0]
        _ = model.handle(
            .company(
                CompanyOverview(company: acme.company, role: .admin, connection: UPSConnection(companyID: acme.company.id, status: .notConnected))))
        let r11 = model.handle(.key(.character("o")))
        #expect(r11 == [])
        var text = model.draw().text
        // Long addresses wrap at the edge, unindented, so they copy whole.
        #expect(
            text.replacingOccurrences(of: "\n", with: "").contains(OptInLink.url(publicURL: Self.publicURL, company: acme.company.id).absoluteString))
        #expect(text.contains("Waiting for the opt-in to complete… 10:00 left"))
        let r12 = model.handle(.tick(Self.now.addingTimeInterval(61)))
        #expect(r12 == [.loadCompany(acme.company.id)])
        text = model.draw().text
        #expect(text.contains("8:59 left"))
        _ = model.handle(.company(acme))
        text = model.draw().text
        #expect(text.contains("Success — Successfully Opted-In to UPS Online Tools (OAuth)"))
        let r13 = model.handle(.tick(Self.now.addingTimeInterval(70)))
        #expect(r13 == [])
    }

    @Test func withoutCursorAddressingTheWaitChangesOnlyEachMinute() {
        var model = signedIn()
        model.animates = false
        _ = model.handle(.key(.enter))
        let acme = Self.companies[0]
        _ = model.handle(
            .company(
                CompanyOverview(company: acme.company, role: .admin, connection: UPSConnection(companyID: acme.company.id, status: .notConnected))))
        _ = model.handle(.key(.character("o")))
        let first = model.draw()
        #expect(first.text.contains("* Waiting for the opt-in to complete… about 10 min left"))
        for quarter in 1...4 {
            _ = model.handle(.tick(Self.now.addingTimeInterval(Double(quarter) * 0.25)))
            let frame = model.draw()
            #expect(frame == first, "tick \(quarter) changed the frame")
        }
        _ = model.handle(.tick(Self.now.addingTimeInterval(61)))
        let later = model.draw().text
        #expect(later.contains("about 9 min left"))
    }

    @Test func escStopsWaitingAndPasteModeCompletesWithThePastedAddress() {
        var model = signedIn()
        _ = model.handle(.key(.enter))
        _ = model.handle(.company(Self.companies[0]))
        _ = model.handle(.key(.character("o")))
        _ = model.handle(.key(.escape))
        let r14 = model.draw().lines[0]
        #expect(r14.hasPrefix(" IPM — Acme Logistics"))
        _ = model.handle(.key(.character("o")))
        let r15 = model.handle(.key(.character("p")))
        #expect(r15 == [.startPasteOptIn(Self.companies[0].company.id)])
        _ = model.handle(
            .pasteStarted(
                authorizationURL: URL(string: "https://wwwcie.ups.com/security/v1/oauth/authorize?client_id=x")!,
                expiresAt: Self.now.addingTimeInterval(600)))
        let r16 = model.draw().text
        #expect(r16.contains("https://wwwcie.ups.com/security/v1/oauth/authorize?client_id=x"))
        _ = model.handle(.key(.paste("http://127.0.0.1:8080/oauth/ups/callback?code=c&state=s")))
        let r17 = model.handle(.key(.enter))
        #expect(r17 == [.completeOptIn(URL(string: "http://127.0.0.1:8080/oauth/ups/callback?code=c&state=s")!)])
        _ = model.handle(.optInCompleted)
        let r18 = model.draw().text
        #expect(r18.contains("Success — Successfully Opted-In to UPS Online Tools (OAuth)"))
    }

    @Test func optOutAsksFirstWithNoAsTheDefault() {
        var model = signedIn()
        _ = model.handle(.key(.enter))
        _ = model.handle(.company(Self.companies[0]))
        let r19 = model.handle(.key(.character("x")))
        #expect(r19 == [])
        let r20 = model.draw().text
        #expect(r20.contains("Are you sure you want to opt out of UPS Online Tools (OAuth)?"))
        let r21 = model.handle(.key(.enter))
        #expect(r21 == [])
        let r22 = model.draw().lines[22]
        #expect(r22 == " Opt-out cancelled; nothing was changed.")
        _ = model.handle(.key(.character("x")))
        _ = model.handle(.key(.left))
        let r23 = model.handle(.key(.enter))
        #expect(r23 == [.optOut(Self.companies[0].company.id)])
        _ = model.handle(.optedOut(Self.companies[0].company.id))
        let r24 = model.draw().lines[22]
        #expect(r24 == " Successfully Opted-Out of UPS Online Tools (OAuth)")
    }

    @Test func activityPagesWithPageDown() {
        var model = signedIn(size: TerminalSize(columns: 80, rows: 10))
        let id = Self.companies[0].company.id
        _ = model.handle(.key(.enter))
        let r25 = model.handle(.key(.character("a")))
        #expect(r25 == [.loadActivity(id, before: nil)])
        let events = (0..<10).map {
            ActivityEntry(
                id: AuditEventID(), occurredAt: Self.now.addingTimeInterval(Double(-$0 * 60)), action: .optedIn, actor: "ada", detail: "event \($0)")
        }
        let cursor = AuditCursor(after: AuditEvent(companyID: id, actor: .system("refresh"), occurredAt: Self.now, action: .optedIn, detail: ""))
        _ = model.handle(.activity(ActivityPage(events: events, next: cursor), appending: false))
        let r26 = model.draw().lines[3]
        #expect(r26.contains("event 0"))
        let r27 = model.handle(.key(.pageDown))
        #expect(r27 == [])
        let r28 = model.handle(.key(.pageDown))
        #expect(r28 == [])
        // The last loaded line reached: the next, older page.
        let r29 = model.handle(.key(.pageDown))
        #expect(r29 == [.loadActivity(id, before: cursor)])
    }

    @Test func notificationsMarkAllRead() {
        var model = signedIn()
        _ = model.handle(.key(.character("n")))
        let r29 = model.draw().text
        #expect(r29.contains("Re-authorization required"))
        let r30 = model.handle(.key(.character("m")))
        #expect(r30 == [.markNotificationsRead])
        let r31 = model.handle(.markedRead(1))
        #expect(r31 == [.loadNotifications])
    }

    @Test func aLostConnectionShowsABannerUntilACallSucceeds() {
        var model = signedIn()
        _ = model.handle(.failed(TUIFailure(.connectionLost, "the database is not reachable")))
        let r32 = model.draw().lines[1]
        #expect(r32 == " the database is not reachable — retrying")
        _ = model.handle(.companies(Self.companies))
        let r33 = model.draw().lines[1]
        #expect(r33 == "")
    }

    @Test func signInMasksThePassword() {
        var model = ConsoleModel(size: .standard, now: Self.now)
        _ = model.handle(.resumed(signedIn: false))
        for character in "ada" { _ = model.handle(.key(.character(character))) }
        _ = model.handle(.key(.enter))
        for character in "s3cret!" { _ = model.handle(.key(.character(character))) }
        let text = model.draw().text
        #expect(text.contains("Sign-in name: [ada"))
        #expect(text.contains("Password:     [*******"))
        #expect(!text.contains("s3cret"))
        let r34 = model.handle(.key(.enter))
        #expect(r34 == [.signIn(name: "ada", password: "s3cret!")])
    }

    @Test func helpListsEveryKey() {
        var model = signedIn()
        _ = model.handle(.key(.character("?")))
        let text = model.draw().text
        #expect(text.contains("Keys"))
        #expect(text.contains("mark all notifications read"))
        _ = model.handle(.key(.character("x")))
        let r35 = model.draw().text
        #expect(!r35.contains("mark all notifications read"))
    }
}

/// The text with every run of blanks and line breaks as one space: wrapped sentences read whole.
func words(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}
