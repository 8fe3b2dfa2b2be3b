import Foundation
import IPMDomain
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Testing

/// The repositories against a real PostgreSQL, one fresh database for the suite.
@Suite("PostgreSQL repositories")
struct RepositoryTests {
    let database: TestDatabase
    let clock = SystemClock()
    let companies: PostgresCompanyRepository
    let admins: PostgresAdminRepository
    let memberships: PostgresMembershipRepository
    let connections: PostgresUPSConnectionRepository
    let audit: PostgresAuditEventRepository
    let operatorActor = AuditActor.operator("test")

    init() async throws {
        database = try await TestDatabase.fresh()
        companies = PostgresCompanyRepository(client: database.client, clock: clock)
        admins = try PostgresAdminRepository(client: database.client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        memberships = PostgresMembershipRepository(client: database.client, clock: clock)
        connections = PostgresUPSConnectionRepository(client: database.client)
        audit = PostgresAuditEventRepository(client: database.client)
    }

    private func unique(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.prefix(8).lowercased()
    }

    private func makeAdmin(_ name: String? = nil, password: String = "correct horse battery") async throws -> Admin {
        try await admins.create(
            try NewAdmin(signInName: try SignInName(name ?? unique("admin")), email: try EmailAddress("a@example.com")),
            password: try Password(password))
    }

    private func makeCompany(_ name: String? = nil) async throws -> Company {
        try await companies.create(try CompanyName(name ?? unique("Company")), by: operatorActor)
    }

    // MARK: Companies

    @Test func companyIsFoundByIdAndByNameCaseInsensitively() async throws {
        let name = unique("CSShipQA")
        let company = try await makeCompany(name)
        #expect(try await companies.find(.id(company.id)) == company)
        #expect(try await companies.find(.name(try CompanyName(name.uppercased()))) == company)
        #expect(try await companies.find(.name(try CompanyName("no such company"))) == nil)
        #expect(try await companies.list().contains(company))
    }

    @Test func duplicateCompanyNameDifferingInCaseIsRefusedAndChangesNothing() async throws {
        let name = unique("Acme")
        _ = try await makeCompany(name)
        let before = try await companies.list().count
        await #expect(throws: DomainError.alreadyExists("company", name.uppercased())) {
            _ = try await companies.create(try CompanyName(name.uppercased()), by: operatorActor)
        }
        #expect(try await companies.list().count == before)
    }

    @Test func newCompanyIsNotConnectedAndItsCreationIsRecorded() async throws {
        let company = try await makeCompany()
        #expect(try await connections.connection(for: company.id).status == .notConnected)
        let events = try await audit.events(for: company.id, limit: 10, before: nil)
        #expect(events.map(\.action) == [.companyCreated])
        #expect(events.first?.actor == operatorActor)
    }

    // MARK: Admins

    @Test func adminRoundTripsWithoutItsHash() async throws {
        let admin = try await makeAdmin()
        #expect(try await admins.find(admin.signInName) == admin)
        #expect(try await admins.find(id: admin.id) == admin)
        #expect(try await admins.find(try SignInName(admin.signInName.value.uppercased())) == admin)
        #expect(try await admins.list().contains(admin))
    }

    @Test func duplicateSignInNameDifferingInCaseIsRefused() async throws {
        let admin = try await makeAdmin()
        await #expect(throws: DomainError.alreadyExists("admin", admin.signInName.value.uppercased())) {
            _ = try await makeAdmin(admin.signInName.value.uppercased())
        }
    }

    @Test func passwordsAreStoredAsBcryptHashesAndVerified() async throws {
        let admin = try await makeAdmin(password: "correct horse battery")
        let stored = try await database.client.query("SELECT password_hash FROM admins WHERE id = \(admin.id.rawValue)")
        let hash = try #require(stored.first).decode("password_hash", as: String.self)
        #expect(hash.hasPrefix("$2"))
        #expect(!hash.contains("correct horse battery"))

        #expect(try await admins.verifyCredentials(admin.signInName, password: Password(unchecked: "correct horse battery")) == admin)
        #expect(try await admins.verifyCredentials(admin.signInName, password: Password(unchecked: "wrong password!!")) == nil)
        #expect(try await admins.verifyCredentials(try SignInName("nobody-here"), password: Password(unchecked: "correct horse battery")) == nil)

        try await admins.setPassword(admin.id, to: try Password("a new password 2"))
        #expect(try await admins.verifyCredentials(admin.signInName, password: Password(unchecked: "correct horse battery")) == nil)
        #expect(try await admins.verifyCredentials(admin.signInName, password: Password(unchecked: "a new password 2")) != nil)
    }

    @Test func disablingAnAdminIsStored() async throws {
        let admin = try await makeAdmin()
        try await admins.setDisabled(admin.id, true)
        #expect(try await admins.find(id: admin.id)?.isDisabled == true)
        try await admins.setDisabled(admin.id, false)
        #expect(try await admins.find(id: admin.id)?.isDisabled == false)
        await #expect(throws: DomainError.self) { try await admins.setDisabled(AdminID(), true) }
    }

    // MARK: Memberships

    @Test func grantingAndChangingARoleIsRecorded() async throws {
        let admin = try await makeAdmin()
        let company = try await makeCompany()
        #expect(try await memberships.role(of: admin.id, in: company.id) == nil)
        _ = try await memberships.grant(.viewer, to: admin.id, in: company.id, by: operatorActor)
        #expect(try await memberships.role(of: admin.id, in: company.id) == .viewer)
        _ = try await memberships.grant(.admin, to: admin.id, in: company.id, by: operatorActor)
        _ = try await memberships.grant(.admin, to: admin.id, in: company.id, by: operatorActor)
        #expect(try await memberships.role(of: admin.id, in: company.id) == .admin)
        let granted = try await audit.events(for: company.id, limit: 10, before: nil).filter { $0.action == .membershipGranted }
        #expect(granted.count == 2, "granting the same role again records nothing")
        #expect(try await memberships.members(of: company.id) == [CompanyMember(admin: admin, role: .admin)])
    }

    @Test func anAdminSeesOnlyTheirOwnCompanies() async throws {
        let alice = try await makeAdmin()
        let bob = try await makeAdmin()
        let a = try await makeCompany()
        let b = try await makeCompany()
        _ = try await memberships.grant(.admin, to: alice.id, in: a.id, by: operatorActor)
        _ = try await memberships.grant(.viewer, to: bob.id, in: b.id, by: operatorActor)
        let aliceSees = try await memberships.companies(visibleTo: alice.id)
        #expect(aliceSees.map(\.company) == [a])
        #expect(aliceSees.first?.role == .admin)
        #expect(aliceSees.first?.connection.status == .notConnected)
        #expect(try await memberships.companies(visibleTo: bob.id).map(\.company) == [b])

        let access = CompanyAccess(companies: companies, memberships: memberships, connections: connections, audit: audit, clock: clock)
        let foreign = await #expect(throws: DomainError.self) { _ = try await access.company(.id(b.id), for: alice) }
        let missing = await #expect(throws: DomainError.self) { _ = try await access.company(.id(CompanyID()), for: alice) }
        #expect(foreign?.isNotFound == true)
        #expect(missing?.isNotFound == true)
    }

    // MARK: Connections

    @Test func transitionsStoreStateAndAuditEventTogether() async throws {
        let admin = try await makeAdmin()
        let company = try await makeCompany()
        let now = clock.now()
        let lifetimes = TokenLifetimes(accessTokenExpiresAt: now.addingTimeInterval(14_400), refreshTokenExpiresAt: now.addingTimeInterval(5_184_000))
        let authenticated = try await optIn(company, by: admin, at: now, lifetimes: lifetimes)
        #expect(authenticated.status == .authenticated)
        #expect(try await connections.connection(for: company.id) == authenticated)

        let refused = try await connections.transition(company.id) {
            try $0.requireReauthorization(.refreshRefused, by: .system("refresh"), at: now.addingTimeInterval(1))
        }
        #expect(refused.status == .reauthorizationRequired)
        #expect(refused.accessTokenExpiresAt == nil)
        #expect(try await connections.connection(for: company.id).reauthorizationMessage == ReauthorizationReason.refreshRefused.message)

        _ = try await connections.transition(company.id) { try $0.optOut(by: admin, at: now.addingTimeInterval(2)) }
        let actions = try await audit.events(for: company.id, limit: 10, before: nil).map(\.action)
        #expect(actions == [.optedOut, .reauthorizationRequired, .optedIn, .companyCreated])
    }

    /// An opt-in stores a token pair with the state: the schema refuses one without the other.
    private func optIn(_ company: Company, by admin: Admin, at now: Date, lifetimes: TokenLifetimes) async throws -> UPSConnection {
        let pair = SealedTokenPair(
            accessToken: SealedSecret(keyID: "k", ciphertext: [1, 2, 3]), refreshToken: SealedSecret(keyID: "k", ciphertext: [4, 5, 6]), scope: "read"
        )
        let stored = try await connections.withLockedConnection(company.id, .wait) { locked in
            let transition = try locked.connection.optIn(by: admin, at: now, lifetimes: lifetimes)
            return (ConnectionUpdate(transition, newTokens: pair), transition.connection)
        }
        return try #require(stored)
    }

    @Test func authenticatedWithoutTokensIsRefusedByTheSchema() async throws {
        let admin = try await makeAdmin()
        let company = try await makeCompany()
        let lifetimes = TokenLifetimes(accessTokenExpiresAt: Date().addingTimeInterval(60), refreshTokenExpiresAt: nil)
        let error = await #expect(throws: PostgresError.self) {
            try await connections.transition(company.id) { try $0.optIn(by: admin, at: Date(), lifetimes: lifetimes) }
        }
        #expect(error?.constraint == "ups_connections_tokens_only_when_held")
        #expect(try await connections.connection(for: company.id).status == .notConnected)
    }

    @Test func anIllegalTransitionChangesNothing() async throws {
        let admin = try await makeAdmin()
        let company = try await makeCompany()
        let before = try await audit.events(for: company.id, limit: 10, before: nil)
        let error = await #expect(throws: DomainError.self) {
            try await connections.transition(company.id) { try $0.optOut(by: admin, at: Date()) }
        }
        #expect(error?.isIllegalTransition == true)
        #expect(try await connections.connection(for: company.id).status == .notConnected)
        #expect(try await audit.events(for: company.id, limit: 10, before: nil) == before)
    }

    @Test func concurrentTransitionsOfOneCompanyAreSerialised() async throws {
        let admin = try await makeAdmin()
        let company = try await makeCompany()
        let now = clock.now()
        let lifetimes = TokenLifetimes(accessTokenExpiresAt: now.addingTimeInterval(3600), refreshTokenExpiresAt: nil)
        _ = try await optIn(company, by: admin, at: now, lifetimes: lifetimes)
        // Ten admins race to opt out; exactly one wins, the rest find it already opted out.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    (try? await connections.transition(company.id) { try $0.optOut(by: admin, at: Date()) }) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let optOuts = try await audit.events(for: company.id, limit: 50, before: nil).filter { $0.action == .optedOut }
        #expect(optOuts.count == 1)
    }

    @Test func countsConnectionsByStatus() async throws {
        let company = try await makeCompany()
        let counts = try await connections.countByStatus()
        #expect(counts[.notConnected, default: 0] >= 1)
        #expect(Set(counts.keys) == Set(ConnectionStatus.allCases))
        _ = company
    }

    // MARK: Audit

    @Test func auditEventsPageNewestFirst() async throws {
        let company = try await makeCompany()
        let base = clock.now()
        for index in 1...7 {
            try await audit.append(
                AuditEvent(
                    companyID: company.id, actor: .system("test"), occurredAt: base.addingTimeInterval(Double(index)), action: .refreshFailed,
                    detail: "attempt \(index)"))
        }
        var seen: [String] = []
        var cursor: AuditCursor?
        repeat {
            let page = try await audit.events(for: company.id, limit: 3, before: cursor)
            seen += page.map(\.detail)
            cursor = page.count == 3 ? AuditCursor(after: page[2]) : nil
        } while cursor != nil
        #expect(seen == (1...7).reversed().map { "attempt \($0)" } + ["Company \(company.name.value) created."])
    }

    @Test func auditActorsRoundTrip() async throws {
        let admin = try await makeAdmin()
        let company = try await makeCompany()
        let event = AuditEvent(
            companyID: company.id, actor: .admin(admin.id, admin.signInName), occurredAt: clock.now(), action: .optedIn,
            detail: "it's \"quoted\" — ünïcode")
        try await audit.append(event)
        #expect(try await audit.events(for: company.id, limit: 1, before: nil) == [event])
    }
}
