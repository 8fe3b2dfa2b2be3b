import Foundation
import IPMDomain
import Testing

@Suite("CompanyAccess")
struct CompanyAccessTests {
    /// Two tenants: Alice administers Acme, Bob administers Globex, Vera only views Acme.
    struct Tenants {
        let world = World()
        let acme: Company, globex: Company
        let alice: Admin, bob: Admin, vera: Admin

        init() async throws {
            acme = try await world.company("Acme")
            globex = try await world.company("Globex")
            alice = try await world.admin("alice")
            bob = try await world.admin("bob")
            vera = try await world.admin("vera")
            try await world.grant(.admin, alice, acme)
            try await world.grant(.admin, bob, globex)
            try await world.grant(.viewer, vera, acme)
        }
    }

    // MARK: overview

    @Test("the overview lists only the admin's own companies, with role and status")
    func overviewIsScoped() async throws {
        let t = try await Tenants()
        let initech = try await t.world.company("Initech")
        try await t.world.grant(.viewer, t.alice, initech)
        try await t.world.optIn(t.acme, by: t.alice)

        let overview = try await t.world.access.overview(for: t.alice)
        #expect(overview.map(\.company) == [t.acme, initech])
        #expect(overview.map(\.role) == [.admin, .viewer])
        #expect(overview.map(\.connection.status) == [.authenticated, .notConnected])

        #expect(try await t.world.access.overview(for: t.bob).map(\.company) == [t.globex])
        #expect(try await t.world.access.overview(for: t.world.admin("nobody")).isEmpty)
    }

    @Test("a disabled admin sees nothing")
    func overviewDisabled() async throws {
        let t = try await Tenants()
        let disabled = try await t.world.operators.setDisabled(t.alice.signInName, true)
        await #expect(throws: DomainError.adminDisabled) { try await t.world.access.overview(for: disabled) }
        await #expect(throws: DomainError.adminDisabled) { try await t.world.access.company(.id(t.acme.id), for: disabled) }
        await #expect(throws: DomainError.adminDisabled) { try await t.world.access.activity(.id(t.acme.id), for: disabled) }
        await #expect(throws: DomainError.adminDisabled) { try await t.world.access.optOut(.id(t.acme.id), by: disabled) }
    }

    // MARK: tenant isolation

    @Test("a member sees the company by name in any case or by id")
    func memberSeesCompany() async throws {
        let t = try await Tenants()
        for reference in [try CompanyReference("ACME"), .id(t.acme.id)] {
            let overview = try await t.world.access.company(reference, for: t.alice)
            #expect(overview.company == t.acme)
            #expect(overview.role == .admin)
            #expect(overview.connection == .notConnected(t.acme.id))
        }
    }

    /// A foreign company and a missing one must be indistinguishable, whatever the call.
    static let calls: [String] = ["company", "activity", "optOut"]

    @Test("another tenant's company is reported exactly like one that does not exist, by name", arguments: calls)
    func foreignByNameLooksMissing(call: String) async throws {
        let t = try await Tenants()
        try await t.world.optIn(t.globex, by: t.bob)

        // Alice names Globex (exists, not hers) and Hooli (does not exist), typed the same way.
        let foreign = await Self.error(calling: call, try CompanyReference("  globex "), as: t.alice, in: t.world)
        let missing = await Self.error(calling: call, try CompanyReference("  hooli "), as: t.alice, in: t.world)
        #expect(foreign == .notFound("company", "globex"))
        #expect(missing == .notFound("company", "hooli"))
        #expect(foreign == .companyNotFound(.name(try CompanyName("globex"))))
        #expect(missing == .companyNotFound(.name(try CompanyName("hooli"))))
        #expect(foreign?.description == "no company named 'globex'")
        #expect(foreign?.description.replacingOccurrences(of: "globex", with: "hooli") == missing?.description)
        #expect(foreign?.isForbidden == false)

        // Same reference text: the foreign company's error is identical to a nonexistent one's.
        let stranger = World()
        let sameTextMissing = await Self.error(calling: call, try CompanyReference("  globex "), as: t.alice, in: stranger)
        #expect(foreign == sameTextMissing)
        #expect(foreign?.description == sameTextMissing?.description)
        #expect(String(reflecting: foreign) == String(reflecting: sameTextMissing))
    }

    @Test("another tenant's company is reported exactly like one that does not exist, by id", arguments: calls)
    func foreignByIDLooksMissing(call: String) async throws {
        let t = try await Tenants()
        let emptyWorld = World()
        let foreign = await Self.error(calling: call, .id(t.globex.id), as: t.alice, in: t.world)
        let missing = await Self.error(calling: call, .id(t.globex.id), as: t.alice, in: emptyWorld)
        #expect(foreign?.isNotFound == true)
        #expect(foreign == missing)
        #expect(foreign?.description == missing?.description)
        #expect(foreign?.description.contains("Globex") == false, "the id must not be turned into the company's name")
        #expect(foreign == .companyNotFound(.id(t.globex.id)))
        #expect(foreign?.description == "no company with id \(t.globex.id)")
    }

    @Test("a foreign company's id and an id that exists nowhere give identical errors", arguments: calls)
    func foreignIDAndNonexistentIDAreIdentical(call: String) async throws {
        let t = try await Tenants()
        try await t.world.optIn(t.globex, by: t.bob)
        let nonexistent = CompanyID(UUID(uuidString: "3F2504E0-4F89-41D3-9A0C-0305E82C3301")!)

        let foreign = try #require(await Self.error(calling: call, .id(t.globex.id), as: t.alice, in: t.world))
        let missing = try #require(await Self.error(calling: call, .id(nonexistent), as: t.alice, in: t.world))

        let foreignText = t.globex.id.rawValue.uuidString.lowercased()
        #expect(foreign.description == "no company with id \(foreignText)")
        #expect(missing.description == "no company with id 3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        #expect(foreign == .companyNotFound(.id(t.globex.id)))
        #expect(missing == .companyNotFound(.id(nonexistent)))
        #expect(foreign.isNotFound && missing.isNotFound)
        #expect(!foreign.isForbidden && !missing.isForbidden)
        // Apart from the id itself, nothing tells the two apart.
        #expect(foreign.description.replacingOccurrences(of: foreignText, with: nonexistent.description) == missing.description)
        #expect(String(reflecting: foreign).replacingOccurrences(of: foreignText, with: nonexistent.description) == String(reflecting: missing))
        #expect(!foreign.description.contains("Globex"))
    }

    @Test("a viewer of one company is a stranger to another")
    func viewerElsewhere() async throws {
        let t = try await Tenants()
        let error = await Self.error(calling: "company", .id(t.globex.id), as: t.vera, in: t.world)
        #expect(error?.isNotFound == true)
    }

    @Test("a foreign company's state and activity stay untouched by a refused opt-out")
    func foreignOptOutChangesNothing() async throws {
        let t = try await Tenants()
        try await t.world.optIn(t.globex, by: t.bob)
        let before = try await t.world.store.connection(for: t.globex.id)
        let eventsBefore = await t.world.store.allEvents

        _ = await Self.error(calling: "optOut", .id(t.globex.id), as: t.alice, in: t.world)

        #expect(try await t.world.store.connection(for: t.globex.id) == before)
        #expect(await t.world.store.allEvents == eventsBefore)
    }

    // MARK: roles

    @Test("a viewer may view but not opt out, and nothing changes")
    func viewerCannotOptOut() async throws {
        let t = try await Tenants()
        try await t.world.optIn(t.acme, by: t.alice)
        let before = try await t.world.store.connection(for: t.acme.id)
        let eventsBefore = await t.world.store.allEvents

        let overview = try await t.world.access.company(.id(t.acme.id), for: t.vera)
        #expect(overview.role == .viewer)
        #expect(overview.connection.status == .authenticated)
        #expect(try await t.world.access.activity(.id(t.acme.id), for: t.vera).events.isEmpty == false)

        let error = await #expect(throws: DomainError.self) { try await t.world.access.optOut(.id(t.acme.id), by: t.vera) }
        #expect(error?.isForbidden == true)
        #expect(error == .forbidden(CompanyAction.optOut.rawValue))

        #expect(try await t.world.store.connection(for: t.acme.id) == before)
        #expect(await t.world.store.allEvents == eventsBefore)
    }

    // MARK: opt-out

    @Test("an admin's opt-out destroys the tokens and records who and when")
    func optOutIsAudited() async throws {
        let t = try await Tenants()
        try await t.world.optIn(t.acme, by: t.alice)
        t.world.clock.advance(by: 3600)
        let now = t.world.clock.now()

        let connection = try await t.world.access.optOut(try CompanyReference("acme"), by: t.alice)

        #expect(connection.status == .optedOut)
        #expect(!connection.holdsTokens)
        #expect(connection.updatedAt == now)
        #expect(try await t.world.store.connection(for: t.acme.id) == connection)
        let newest = try #require(try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: 1).events.first)
        #expect(newest.action == .optedOut)
        #expect(newest.actor == .admin(t.alice.id, t.alice.signInName))
        #expect(newest.occurredAt == now)
        #expect(newest.companyID == t.acme.id)
    }

    @Test(
        "opting out of a company that never opted in is an illegal transition and records nothing",
        arguments: [ConnectionStatus.notConnected, .optedOut])
    func optOutWhenNotConnected(status: ConnectionStatus) async throws {
        let t = try await Tenants()
        if status == .optedOut {
            try await t.world.optIn(t.acme, by: t.alice)
            _ = try await t.world.access.optOut(.id(t.acme.id), by: t.alice)
        }
        let eventsBefore = await t.world.store.allEvents

        let error = await #expect(throws: DomainError.self) { try await t.world.access.optOut(.id(t.acme.id), by: t.alice) }
        #expect(error?.isIllegalTransition == true)
        #expect(try await t.world.store.connection(for: t.acme.id).status == status)
        #expect(await t.world.store.allEvents == eventsBefore)
    }

    // MARK: activity

    @Test("activity pages newest first, the cursor continuing where the last page ended")
    func activityPaging() async throws {
        let t = try await Tenants()
        for _ in 0..<3 {
            t.world.clock.advance(by: 60)
            try await t.world.optIn(t.acme, by: t.alice)
            t.world.clock.advance(by: 60)
            _ = try await t.world.access.optOut(.id(t.acme.id), by: t.alice)
        }
        try await t.world.optIn(t.globex, by: t.bob)  // another tenant's noise
        // companyCreated + 2 grants + 6 connection events
        let all = try await t.world.access.activity(.id(t.acme.id), for: t.alice).events
        #expect(all.count == 9)
        #expect(all.map(\.occurredAt) == all.map(\.occurredAt).sorted(by: >))
        #expect(all.first?.action == .optedOut)
        #expect(all.allSatisfy { $0.companyID == t.acme.id })

        var pages: [AuditEventPage] = []
        var cursor: AuditCursor?
        repeat {
            let page = try await t.world.access.activity(.id(t.acme.id), for: t.vera, limit: 4, before: cursor)
            pages.append(page)
            cursor = page.next
        } while cursor != nil
        #expect(pages.map(\.events.count) == [4, 4, 1], "the last page says it is the last: no empty page after it")
        #expect(pages.flatMap(\.events) == all)
        #expect(pages.map { $0.next != nil } == [true, true, false])
    }

    /// One more than the page is read, to tell whether there is a next page.
    @Test("the page size is clamped to 1…500", arguments: [(Int.min, 2), (-5, 2), (0, 2), (1, 2), (50, 51), (500, 501), (501, 501), (Int.max, 501)])
    func limitClamped(requested: Int, passed: Int) async throws {
        let t = try await Tenants()
        _ = try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: requested)
        #expect(await t.world.store.lastRequestedLimit == passed)
    }

    @Test("the default page is 50 and the largest is 500")
    func limitEffect() async throws {
        let t = try await Tenants()
        for index in 0..<600 {
            try await t.world.store.append(
                AuditEvent(
                    companyID: t.acme.id, actor: .system("test"), occurredAt: Fixture.epoch.addingTimeInterval(Double(index)), action: .refreshFailed,
                    detail: "\(index)"))
        }
        #expect(try await t.world.access.activity(.id(t.acme.id), for: t.alice).events.count == 50)
        #expect(try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: 0).events.count == 1)
        let largest = try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: 10_000)
        #expect(largest.events.count == 500)
        #expect(largest.events.first?.detail == "599")
    }

    @Test("a full page of 500 with an older event names the next page, and the last page does not")
    func fullPageOf500HasNext() async throws {
        let t = try await Tenants()
        let existing = try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: 500).events.count
        for index in 0..<(501 - existing) {
            try await t.world.store.append(
                AuditEvent(
                    companyID: t.acme.id, actor: .system("test"), occurredAt: Fixture.epoch.addingTimeInterval(Double(index)), action: .refreshFailed,
                    detail: "\(index)"))
        }
        let first = try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: 500)
        #expect(first.events.count == 500)
        let next = try #require(first.next, "501 events do not fit one page of 500")
        #expect(next == AuditCursor(after: first.events[499]))
        let second = try await t.world.access.activity(.id(t.acme.id), for: t.alice, limit: 500, before: next)
        #expect(second.events.count == 1)
        #expect(second.next == nil)
        #expect(Set(first.events.map(\.id)).isDisjoint(with: second.events.map(\.id)))

        // Exactly 500: one page, and it says it is the last.
        let other = try await t.world.company("Initech")
        try await t.world.grant(.admin, t.alice, other)
        let already = try await t.world.access.activity(.id(other.id), for: t.alice, limit: 500).events.count
        for index in 0..<(500 - already) {
            try await t.world.store.append(
                AuditEvent(
                    companyID: other.id, actor: .system("test"), occurredAt: Fixture.epoch.addingTimeInterval(Double(index)), action: .refreshFailed,
                    detail: "\(index)"))
        }
        let exact = try await t.world.access.activity(.id(other.id), for: t.alice, limit: 500)
        #expect(exact.events.count == 500)
        #expect(exact.next == nil)
    }

    // MARK: helpers

    static func error(calling call: String, _ reference: CompanyReference, as admin: Admin, in world: World) async -> DomainError? {
        do {
            switch call {
            case "company": _ = try await world.access.company(reference, for: admin)
            case "activity": _ = try await world.access.activity(reference, for: admin)
            case "optOut": _ = try await world.access.optOut(reference, by: admin)
            default: Issue.record("unknown call \(call)")
            }
            Issue.record("\(call) did not throw")
            return nil
        } catch let error as DomainError {
            return error
        } catch {
            Issue.record("\(call) threw \(error), not a DomainError")
            return nil
        }
    }
}
