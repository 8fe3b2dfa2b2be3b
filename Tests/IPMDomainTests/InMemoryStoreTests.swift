import Foundation
import IPMDomain
import Testing

/// The fake must honour the ports' contracts, or the service tests prove nothing.
@Suite("InMemoryStore honours the repository contracts")
struct InMemoryStoreTests {
    struct Boom: Error {}

    @Test("a transition stores the connection and its event together")
    func transitionStoresBoth() async throws {
        let world = World()
        let company = try await world.company("Acme")
        let alice = try await world.admin("alice")
        let eventsBefore = await world.store.allEvents.count

        let connection = try await world.optIn(company, by: alice)

        #expect(connection.status == .authenticated)
        #expect(try await world.store.connection(for: company.id) == connection)
        let events = await world.store.allEvents
        #expect(events.count == eventsBefore + 1)
        #expect(events.last?.action == .optedIn)
        #expect(events.last?.companyID == company.id)
    }

    @Test("an error thrown by the change leaves the connection and the audit as they were")
    func failedChangeChangesNothing() async throws {
        let world = World()
        let company = try await world.company("Acme")
        let alice = try await world.admin("alice")
        try await world.optIn(company, by: alice)
        let connectionBefore = try await world.store.connection(for: company.id)
        let eventsBefore = await world.store.allEvents
        let now = world.clock.now()

        await #expect(throws: Boom.self) {
            try await world.store.transition(company.id) { _ in throw Boom() }
        }
        // A legal step followed by an illegal one: the first must not be kept either.
        let error = await #expect(throws: DomainError.self) {
            try await world.store.transition(company.id) { connection in
                let optedOut = try connection.optOut(by: alice, at: now).connection
                return try optedOut.optOut(by: alice, at: now)
            }
        }
        #expect(error?.isIllegalTransition == true)

        #expect(try await world.store.connection(for: company.id) == connectionBefore)
        #expect(await world.store.allEvents == eventsBefore)
    }

    @Test("a failed first transition leaves a company not connected with no activity")
    func failedFirstTransition() async throws {
        let world = World()
        let company = try await world.company("Acme")
        let alice = try await world.admin("alice")
        let eventsBefore = await world.store.allEvents
        let now = world.clock.now()

        let error = await #expect(throws: DomainError.self) {
            try await world.store.transition(company.id) { try $0.optOut(by: alice, at: now) }
        }
        #expect(error?.isIllegalTransition == true)
        #expect(try await world.store.connection(for: company.id) == .notConnected(company.id))
        #expect(await world.store.allEvents == eventsBefore)
    }

    @Test("concurrent opt-outs: exactly one wins, the others see the new state")
    func concurrentOptOuts() async throws {
        let world = World()
        let company = try await world.company("Acme")
        let alice = try await world.admin("alice")
        try await world.optIn(company, by: alice)
        let now = world.clock.now()
        let store = world.store

        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        try await store.transition(company.id) { try $0.optOut(by: alice, at: now) }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }

        #expect(outcomes.filter { $0 }.count == 1)
        #expect(await store.allEvents.filter { $0.action == .optedOut }.count == 1)
        #expect(try await store.connection(for: company.id).status == .optedOut)
    }

    @Test("a transition for an unknown company is refused")
    func unknownCompany() async throws {
        let world = World()
        let alice = try await world.admin("alice")
        let now = world.clock.now()
        let error = await #expect(throws: DomainError.self) {
            try await world.store.transition(CompanyID()) { try $0.optIn(by: alice, at: now, lifetimes: Fixture.lifetimes()) }
        }
        #expect(error?.isNotFound == true)
    }

    @Test("counts companies by status, never-connected ones included")
    func countByStatus() async throws {
        let world = World()
        let alice = try await world.admin("alice")
        let a = try await world.company("A")
        let b = try await world.company("B")
        _ = try await world.company("C")
        try await world.optIn(a, by: alice)
        try await world.optIn(b, by: alice)
        let now = world.clock.now()
        try await world.store.transition(b.id) { try $0.optOut(by: alice, at: now) }

        #expect(try await world.store.countByStatus() == [.authenticated: 1, .optedOut: 1, .notConnected: 1])
    }

    @Test("credentials: the right password for a case-insensitive name, and disabled admins are still returned")
    func credentials() async throws {
        let world = World()
        let alice = try await world.admin("Alice", password: "first password")
        #expect(try await world.store.verifyCredentials(SignInName("ALICE"), password: Password(unchecked: "first password"))?.id == alice.id)
        #expect(try await world.store.verifyCredentials(SignInName("alice"), password: Password(unchecked: "First password")) == nil)
        #expect(try await world.store.verifyCredentials(SignInName("nobody"), password: Password(unchecked: "first password")) == nil)
        try await world.store.setDisabled(alice.id, true)
        #expect(try await world.store.verifyCredentials(SignInName("alice"), password: Password(unchecked: "first password"))?.isDisabled == true)
    }

    @Test("events come newest first, and a cursor continues strictly after the page, ties broken by id")
    func auditPagingWithTies() async throws {
        let store = InMemoryStore()
        let company = CompanyID()
        let other = CompanyID()
        let sameInstant = Fixture.epoch
        var written: [AuditEvent] = []
        for index in 0..<9 {
            // Three events share each instant, so only the id separates them.
            let event = AuditEvent(
                companyID: company, actor: .system("test"), occurredAt: sameInstant.addingTimeInterval(Double(index / 3)), action: .refreshFailed,
                detail: "\(index)")
            written.append(event)
            try await store.append(event)
        }
        try await store.append(AuditEvent(companyID: other, actor: .system("test"), occurredAt: sameInstant, action: .refreshFailed, detail: "other"))

        var seen: [AuditEvent] = []
        var cursor: AuditCursor?
        for pageSize in [2, 4, 2, 5] {
            let page = try await store.events(for: company, limit: pageSize, before: cursor)
            seen += page
            if let last = page.last { cursor = AuditCursor(after: last) }
        }

        #expect(seen.count == 9)
        #expect(Set(seen.map(\.id)) == Set(written.map(\.id)))
        #expect(seen.map(\.occurredAt) == seen.map(\.occurredAt).sorted(by: >))
        #expect(seen.allSatisfy { $0.companyID == company })
    }
}
