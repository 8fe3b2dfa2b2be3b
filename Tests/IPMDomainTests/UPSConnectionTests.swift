import Foundation
import IPMDomain
import Testing

@Suite("UPSConnection state machine")
struct UPSConnectionTests {
    let now = Fixture.epoch
    let system = AuditActor.system("refresh worker")

    // MARK: optIn

    @Test("opt-in is allowed from every status and authenticates", arguments: ConnectionStatus.allCases)
    func optInFromEveryStatus(from status: ConnectionStatus) throws {
        let admin = try Fixture.admin("Alice")
        let before = Fixture.connection(status)
        let lifetimes = Fixture.lifetimes(from: now)
        let eventID = AuditEventID()

        let transition = try before.optIn(by: admin, at: now, lifetimes: lifetimes, eventID: eventID)

        let after = transition.connection
        #expect(after.companyID == before.companyID)
        #expect(after.status == .authenticated)
        #expect(after.holdsTokens)
        #expect(after.authorizedBy == admin.id)
        #expect(after.authorizedAt == now)
        #expect(after.accessTokenExpiresAt == lifetimes.accessTokenExpiresAt)
        #expect(after.refreshTokenExpiresAt == lifetimes.refreshTokenExpiresAt)
        #expect(after.reauthorizationMessage == nil)
        #expect(after.updatedAt == now)
        #expect(before.status == status, "a transition returns a new value and leaves the old one alone")

        let event = try #require(transition.event)
        #expect(event.id == eventID)
        #expect(event.companyID == before.companyID)
        #expect(event.actor == .admin(admin.id, admin.signInName))
        #expect(event.actor.description == "Alice")
        #expect(event.occurredAt == now)
        #expect(event.action == .optedIn)
        switch status {
        case .authenticated:
            #expect(event.detail == "Opted in again; the previous UPS authorization was replaced.")
        case .reauthorizationRequired:
            #expect(event.detail == "Opted in again after re-authorization was required.")
        case .blocked:
            #expect(event.detail.hasPrefix("Opted in again while UPS was blocking the merchant"))
            #expect(after.blockedReason == nil && after.refreshHealth == .healthy)
        case .notConnected, .optedOut:
            #expect(event.detail == "Opted in to UPS Online Tools (OAuth).")
        }
    }

    @Test("opting in while authenticated replaces the tokens and the authorizing admin")
    func optInReplacesTokens() throws {
        let first = try Fixture.admin("alice")
        let second = try Fixture.admin("bob")
        let company = CompanyID()
        let original = try UPSConnection.notConnected(company)
            .optIn(by: first, at: now, lifetimes: Fixture.lifetimes(from: now)).connection
        let later = now.addingTimeInterval(3600)
        let newLifetimes = Fixture.lifetimes(from: later, accessHours: 8, refreshDays: nil)

        let replaced = try original.optIn(by: second, at: later, lifetimes: newLifetimes).connection

        #expect(replaced.status == .authenticated)
        #expect(replaced.authorizedBy == second.id)
        #expect(replaced.authorizedAt == later)
        #expect(replaced.accessTokenExpiresAt == newLifetimes.accessTokenExpiresAt)
        #expect(replaced.refreshTokenExpiresAt == nil)
        #expect(original.authorizedBy == first.id, "the old value is untouched")
    }

    @Test("opt-in clears the re-authorization message")
    func optInClearsMessage() throws {
        let before = Fixture.connection(.reauthorizationRequired)
        #expect(before.reauthorizationMessage != nil)
        let after = try before.optIn(by: Fixture.admin(), at: now, lifetimes: Fixture.lifetimes()).connection
        #expect(after.reauthorizationMessage == nil)
    }

    @Test("each opt-in gets its own event id by default")
    func distinctEventIDs() throws {
        let admin = try Fixture.admin()
        let connection = UPSConnection.notConnected(CompanyID())
        let a = try connection.optIn(by: admin, at: now, lifetimes: Fixture.lifetimes()).event
        let b = try connection.optIn(by: admin, at: now, lifetimes: Fixture.lifetimes()).event
        #expect(a?.id != b?.id)
    }

    // MARK: optOut

    @Test("opt-out is allowed only while authenticated, blocked or re-authorization required", arguments: ConnectionStatus.allCases)
    func optOutFromEveryStatus(from status: ConnectionStatus) throws {
        let admin = try Fixture.admin("carol")
        let before = Fixture.connection(status)
        let eventID = AuditEventID()

        guard status == .authenticated || status == .reauthorizationRequired || status == .blocked else {
            let error = #expect(throws: DomainError.self) { try before.optOut(by: admin, at: now, eventID: eventID) }
            #expect(error?.isIllegalTransition == true)
            #expect(error?.description == "cannot opt out: the company's UPS connection is \(status.description)")
            return
        }

        let transition = try before.optOut(by: admin, at: now, eventID: eventID)
        let after = transition.connection
        #expect(after.companyID == before.companyID)
        #expect(after.status == .optedOut)
        #expect(!after.holdsTokens)
        #expect(after.accessTokenExpiresAt == nil)
        #expect(after.refreshTokenExpiresAt == nil)
        #expect(after.reauthorizationMessage == nil)
        #expect(after.updatedAt == now)
        #expect(after.authorizedBy == before.authorizedBy, "who authorized last stays on record")
        #expect(after.authorizedAt == before.authorizedAt)

        let event = try #require(transition.event)
        #expect(event.id == eventID)
        #expect(event.companyID == before.companyID)
        #expect(event.actor == .admin(admin.id, admin.signInName))
        #expect(event.occurredAt == now)
        #expect(event.action == .optedOut)
        #expect(event.detail == "Opted out of UPS Online Tools (OAuth); the tokens were destroyed.")
    }

    // MARK: requireReauthorization

    @Test("re-authorization is required only from authenticated or blocked", arguments: ConnectionStatus.allCases, Fixture.reauthorizationReasons)
    func requireReauthorizationFromEveryStatus(from status: ConnectionStatus, reason: ReauthorizationReason) throws {
        let before = Fixture.connection(status)
        let eventID = AuditEventID()

        guard status == .authenticated || status == .blocked else {
            let error = #expect(throws: DomainError.self) { try before.requireReauthorization(reason, by: system, at: now, eventID: eventID) }
            #expect(error?.isIllegalTransition == true)
            #expect(error?.description == "cannot require re-authorization: the company's UPS connection is \(status.description)")
            return
        }

        let transition = try before.requireReauthorization(reason, by: system, at: now, eventID: eventID)
        let after = transition.connection
        #expect(after.status == .reauthorizationRequired)
        #expect(!after.holdsTokens)
        #expect(after.reauthorizationMessage == reason.message)
        #expect(after.accessTokenExpiresAt == nil)
        #expect(after.refreshTokenExpiresAt == nil)
        #expect(after.updatedAt == now)
        #expect(after.authorizedBy == before.authorizedBy)

        let event = try #require(transition.event)
        #expect(event.id == eventID)
        #expect(event.companyID == before.companyID)
        #expect(event.actor == system)
        #expect(event.actor.description == "IPM (refresh worker)")
        #expect(event.occurredAt == now)
        #expect(event.action == .reauthorizationRequired)
        #expect(event.detail == reason.message)
    }

    @Test("each reason explains itself and asks for a new opt-in", arguments: Fixture.reauthorizationReasons)
    func reasonMessages(reason: ReauthorizationReason) {
        #expect(reason.message.hasSuffix("an admin must opt in again."))
        #expect(Set(Fixture.reauthorizationReasons.map(\.message)).count == Fixture.reauthorizationReasons.count)
        if reason == .refreshRefused { #expect(reason.message.contains("password")) }
    }

    // MARK: refreshed

    @Test("a refresh is allowed only while authenticated (no event) or blocked (recovered)", arguments: ConnectionStatus.allCases)
    func refreshedFromEveryStatus(from status: ConnectionStatus) throws {
        let before = Fixture.connection(status)
        let lifetimes = Fixture.lifetimes(from: now, accessHours: 2, refreshDays: 90)

        if status == .blocked {
            let transition = try before.refreshed(lifetimes, at: now)
            #expect(transition.event?.action == .recovered)
            #expect(transition.notifies, "the block was announced, so its end is too")
            #expect(transition.connection.status == .authenticated && transition.connection.blockedReason == nil)
            #expect(transition.connection.lastRefreshedAt == now)
            return
        }
        guard status == .authenticated else {
            let error = #expect(throws: DomainError.self) { try before.refreshed(lifetimes, at: now) }
            #expect(error?.isIllegalTransition == true)
            #expect(error?.description == "cannot refresh the tokens: the company's UPS connection is \(status.description)")
            return
        }

        let transition = try before.refreshed(lifetimes, at: now)
        #expect(transition.event == nil)
        let after = transition.connection
        #expect(after.status == .authenticated)
        #expect(after.accessTokenExpiresAt == lifetimes.accessTokenExpiresAt)
        #expect(after.refreshTokenExpiresAt == lifetimes.refreshTokenExpiresAt)
        #expect(after.updatedAt == now)
        #expect(after.authorizedBy == before.authorizedBy, "a refresh is not a new opt-in")
        #expect(after.authorizedAt == before.authorizedAt)
    }

    // MARK: disabled admins

    @Test("a disabled admin can neither opt in nor opt out, whatever the status", arguments: ConnectionStatus.allCases)
    func disabledAdminRefused(from status: ConnectionStatus) throws {
        let disabled = try Fixture.admin("mallory", disabled: true)
        let connection = Fixture.connection(status)
        #expect(throws: DomainError.adminDisabled) { try connection.optIn(by: disabled, at: now, lifetimes: Fixture.lifetimes()) }
        #expect(throws: DomainError.adminDisabled) { try connection.optOut(by: disabled, at: now) }
    }

    // MARK: status facts

    @Test("only an authenticated or blocked connection holds tokens", arguments: ConnectionStatus.allCases)
    func holdsTokens(status: ConnectionStatus) {
        #expect(Fixture.connection(status).holdsTokens == (status == .authenticated || status == .blocked))
    }

    // MARK: health

    @Test("a 403 block keeps the tokens and is announced once; another 403 only moves the next attempt")
    func blockKeepsTokensAndAnnouncesOnce() throws {
        let policy = RefreshPolicy(blockedRetryInterval: 1000, announcementPeriod: 3600)
        let first = try Fixture.connection(.authenticated).block(
            "Blocked Merchant", by: system, at: now, policy: policy, random: SystemRandomSource())
        #expect(first.connection.status == .blocked && first.connection.holdsTokens)
        #expect(first.connection.accessTokenExpiresAt != nil, "the tokens' facts stay")
        #expect(first.event?.action == .blocked && first.notifies)
        let wait = try #require(first.connection.refreshHealth.nextAttemptAt).timeIntervalSince(now)
        #expect((900...1000).contains(wait))
        #expect(first.connection.isDueForRefresh(at: now.addingTimeInterval(1001), policy: policy))
        #expect(!first.connection.isDueForRefresh(at: now.addingTimeInterval(100), policy: policy))
        let again = try first.connection.block(
            "Blocked Merchant", by: system, at: now.addingTimeInterval(1001), policy: policy, random: SystemRandomSource())
        #expect(again.event == nil)
        #expect(again.connection.refreshHealth.consecutiveFailures == 2)
        #expect(throws: DomainError.self) {
            try Fixture.connection(.optedOut).block("x", by: system, at: now, policy: policy, random: SystemRandomSource())
        }
    }

    @Test("announcements: one trouble at a time, a block escalates a failure, and a new one waits for the period")
    func announcementRateLimit() {
        let quiet = HealthAnnouncements()
        #expect(quiet.mayAnnounce(.refreshFailing, at: now, period: 3600))
        let failing = HealthAnnouncements(trouble: .refreshFailing, troubleAnnouncedAt: now)
        #expect(!failing.mayAnnounce(.refreshFailing, at: now.addingTimeInterval(9999), period: 3600), "once, until it recovers")
        #expect(failing.mayAnnounce(.blocked, at: now, period: 3600), "a block is worse news")
        let recovered = HealthAnnouncements(troubleAnnouncedAt: now)
        #expect(!recovered.mayAnnounce(.refreshFailing, at: now.addingTimeInterval(3599), period: 3600))
        #expect(!recovered.mayAnnounce(.blocked, at: now.addingTimeInterval(3599), period: 3600))
        #expect(recovered.mayAnnounce(.blocked, at: now.addingTimeInterval(3600), period: 3600))
    }

    @Test("refresh_token_expiring only when the end is near and no refresh moves it")
    func expiryWarning() throws {
        let policy = RefreshPolicy(expiryWarningWindow: 7 * 86_400)
        let start = Fixture.connection(.authenticated)
        let end = try #require(start.refreshTokenExpiresAt)
        let near = end.addingTimeInterval(-86_400)
        // Nothing shows yet that refreshing cannot renew it.
        #expect(throws: DomainError.self) { try start.warnRefreshTokenExpiring(at: near, policy: policy) }
        // A refresh that keeps the end: that is the evidence; the warning comes with it.
        let kept = try start.refreshed(
            TokenLifetimes(accessTokenExpiresAt: near.addingTimeInterval(3600), refreshTokenExpiresAt: end), at: near, policy: policy)
        #expect(kept.event?.action == .refreshTokenExpiring && kept.notifies)
        #expect(kept.connection.announcements.expiryWarnedAt == near)
        let twice = try kept.connection.refreshed(
            TokenLifetimes(accessTokenExpiresAt: near.addingTimeInterval(7200), refreshTokenExpiresAt: end), at: near.addingTimeInterval(3600),
            policy: policy)
        #expect(twice.event == nil, "once per end")
        // A refresh that moves the end later clears it.
        let renewed = try twice.connection.refreshed(
            TokenLifetimes(accessTokenExpiresAt: near.addingTimeInterval(9000), refreshTokenExpiresAt: end.addingTimeInterval(86_400 * 30)),
            at: near.addingTimeInterval(7200), policy: policy)
        #expect(
            renewed.event == nil && renewed.connection.announcements.expiryWarnedAt == nil
                && renewed.connection.announcements.refreshTokenRenews == true)
    }

    @Test("a company that never opted in is not connected and knows nothing else")
    func notConnected() {
        let company = CompanyID()
        let connection = UPSConnection.notConnected(company)
        #expect(connection == UPSConnection(companyID: company, status: .notConnected))
        #expect(connection.authorizedBy == nil && connection.authorizedAt == nil && connection.updatedAt == nil)
        #expect(connection.accessTokenExpiresAt == nil && connection.refreshTokenExpiresAt == nil && connection.reauthorizationMessage == nil)
    }

    @Test(
        "statuses read in the seed's words and store stable raw values",
        arguments: [
            (ConnectionStatus.notConnected, "not_connected", "Not connected"),
            (.authenticated, "authenticated", "Authenticated"),
            (.reauthorizationRequired, "reauthorization_required", "Re-authorization required"),
            (.optedOut, "opted_out", "Opted out"),
        ])
    func statusWords(status: ConnectionStatus, raw: String, title: String) throws {
        #expect(status.rawValue == raw)
        #expect(status.title == title)
        #expect(status.description == title.lowercased())
        let decoded = try JSONDecoder().decode(ConnectionStatus.self, from: JSONEncoder().encode(status))
        #expect(decoded == status)
    }

    // MARK: the whole story

    @Test("not connected → authenticated → re-authorization required → authenticated → opted out → authenticated")
    func fullJourney() throws {
        let alice = try Fixture.admin("alice")
        let bob = try Fixture.admin("bob")
        let company = CompanyID()
        var clockTime = now
        func tick() -> Date {
            clockTime = clockTime.addingTimeInterval(60)
            return clockTime
        }
        var events: [AuditEvent] = []
        func apply(_ transition: ConnectionTransition) -> UPSConnection {
            if let event = transition.event { events.append(event) }
            return transition.connection
        }

        var connection = UPSConnection.notConnected(company)
        #expect(connection.status == .notConnected)

        connection = apply(try connection.optIn(by: alice, at: tick(), lifetimes: Fixture.lifetimes(from: clockTime)))
        #expect(connection.status == .authenticated)

        connection = apply(try connection.refreshed(Fixture.lifetimes(from: tick()), at: clockTime))
        #expect(connection.status == .authenticated)
        #expect(connection.accessTokenExpiresAt == Fixture.lifetimes(from: clockTime).accessTokenExpiresAt)

        connection = apply(try connection.requireReauthorization(.refreshRefused, by: system, at: tick()))
        #expect(connection.status == .reauthorizationRequired)
        #expect(connection.reauthorizationMessage == ReauthorizationReason.refreshRefused.message)
        #expect(throws: DomainError.self) { try connection.refreshed(Fixture.lifetimes(), at: clockTime) }

        connection = apply(try connection.optIn(by: bob, at: tick(), lifetimes: Fixture.lifetimes(from: clockTime)))
        #expect(connection.status == .authenticated)
        #expect(connection.authorizedBy == bob.id)
        #expect(connection.reauthorizationMessage == nil)

        connection = apply(try connection.optOut(by: alice, at: tick()))
        #expect(connection.status == .optedOut)
        #expect(!connection.holdsTokens)
        #expect(throws: DomainError.self) { try connection.optOut(by: alice, at: clockTime) }

        connection = apply(try connection.optIn(by: alice, at: tick(), lifetimes: Fixture.lifetimes(from: clockTime)))
        #expect(connection.status == .authenticated)
        #expect(connection.authorizedBy == alice.id)
        #expect(connection.companyID == company)

        #expect(events.map(\.action) == [.optedIn, .reauthorizationRequired, .optedIn, .optedOut, .optedIn])
        #expect(
            events.map(\.actor) == [
                .admin(alice.id, alice.signInName), system, .admin(bob.id, bob.signInName), .admin(alice.id, alice.signInName),
                .admin(alice.id, alice.signInName),
            ])
        #expect(events.allSatisfy { $0.companyID == company })
        #expect(events.map(\.occurredAt) == events.map(\.occurredAt).sorted())
        #expect(Set(events.map(\.id)).count == events.count)
    }
}
