import Foundation
import IPMDomain
import Testing

@Suite("OperatorService")
struct OperatorServiceTests {
    @Test("creating an admin keeps what the operator typed and stamps the clock's time")
    func createAdmin() async throws {
        let world = World()
        world.clock.advance(by: 42)
        let newAdmin = try NewAdmin(signInName: SignInName(" Alice "), displayName: "Alice Smith", email: EmailAddress("alice@example.com"))
        let admin = try await world.operators.createAdmin(newAdmin, password: Password("correct horse battery"))

        #expect(admin.signInName.value == "Alice")
        #expect(admin.displayName == "Alice Smith")
        #expect(admin.email?.value == "alice@example.com")
        #expect(admin.isDisabled == false)
        #expect(admin.createdAt == Fixture.epoch.addingTimeInterval(42))
        #expect(try await world.operators.listAdmins() == [admin])
    }

    @Test("a sign-in name that differs only in case already exists", arguments: ["alice", "ALICE", "Alice", " aLiCe "])
    func duplicateSignInName(duplicate: String) async throws {
        let world = World()
        _ = try await world.admin("Alice")
        let error = await #expect(throws: DomainError.self) { try await world.admin(duplicate) }
        #expect(error?.isAlreadyExists == true)
        #expect(try await world.operators.listAdmins().count == 1)
    }

    @Test("a company name that differs only in case already exists")
    func duplicateCompanyName() async throws {
        let world = World()
        let acme = try await world.company("Acme")
        let error = await #expect(throws: DomainError.self) { try await world.company("ACME") }
        #expect(error?.isAlreadyExists == true)
        #expect(try await world.operators.listCompanies() == [acme])
    }

    @Test("creating a company records it as the operator's act")
    func createCompanyIsAudited() async throws {
        let world = World()
        let acme = try await world.company("Acme")
        #expect(acme.name.value == "Acme")
        #expect(acme.createdAt == world.clock.now())
        let events = try await world.store.events(for: acme.id, limit: 10, before: nil)
        #expect(events.map(\.action) == [.companyCreated])
        #expect(events.first?.actor == .operator("ops"))
    }

    @Test("an admin is added to a company by name or by id", arguments: [true, false])
    func addAdmin(byName: Bool) async throws {
        let world = World()
        let acme = try await world.company("Acme")
        let alice = try await world.admin("alice")
        let reference = byName ? try CompanyReference("acme") : .id(acme.id)

        let (company, admin, membership) = try await world.operators.addAdmin(SignInName("ALICE"), to: reference, role: .viewer)

        #expect(company == acme)
        #expect(admin == alice)
        #expect(membership == Membership(adminID: alice.id, companyID: acme.id, role: .viewer))
        #expect(try await world.operators.members(of: reference) == [CompanyMember(admin: alice, role: .viewer)])
        #expect(try await world.store.role(of: alice.id, in: acme.id) == .viewer)
        let grants = try await world.store.events(for: acme.id, limit: 10, before: nil).filter { $0.action == .membershipGranted }
        #expect(grants.map(\.actor) == [.operator("ops")])
    }

    @Test("granting again changes the role instead of adding a second membership")
    func regrantChangesRole() async throws {
        let world = World()
        let acme = try await world.company("Acme")
        let alice = try await world.admin("alice")
        try await world.grant(.viewer, alice, acme)
        let membership = try await world.grant(.admin, alice, acme)

        #expect(membership.role == .admin)
        #expect(try await world.operators.members(of: .id(acme.id)) == [CompanyMember(admin: alice, role: .admin)])
        #expect(try await world.access.overview(for: alice).map(\.role) == [.admin])
    }

    @Test("an unknown company or admin is not found, and nothing is granted")
    func unknowns() async throws {
        let world = World()
        let acme = try await world.company("Acme")
        let alice = try await world.admin("alice")

        let noCompany = await #expect(throws: DomainError.self) {
            try await world.operators.addAdmin(alice.signInName, to: CompanyReference("Globex"), role: .admin)
        }
        #expect(noCompany == .notFound("company", "Globex"))
        let noCompanyByID = await #expect(throws: DomainError.self) {
            try await world.operators.addAdmin(alice.signInName, to: .id(CompanyID()), role: .admin)
        }
        #expect(noCompanyByID?.isNotFound == true)
        #expect(noCompany == .companyNotFound(.name(try CompanyName("Globex"))))
        #expect(noCompany?.description == "no company named 'Globex'")
        let missingID = CompanyID(UUID(uuidString: "3F2504E0-4F89-41D3-9A0C-0305E82C3301")!)
        let noCompanyByKnownID = await #expect(throws: DomainError.self) {
            try await world.operators.addAdmin(alice.signInName, to: .id(missingID), role: .admin)
        }
        #expect(noCompanyByKnownID == .companyNotFound(.id(missingID)))
        #expect(noCompanyByKnownID?.description == "no company with id 3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        let noAdmin = await #expect(throws: DomainError.self) {
            try await world.operators.addAdmin(SignInName("bob"), to: .id(acme.id), role: .admin)
        }
        #expect(noAdmin == .notFound("admin", "bob"))
        #expect(try await world.operators.members(of: .id(acme.id)).isEmpty)

        for error in [
            await #expect(throws: DomainError.self) { try await world.operators.members(of: CompanyReference("Globex")) },
            await #expect(throws: DomainError.self) { try await world.operators.setDisabled(SignInName("bob"), true) },
            await #expect(throws: DomainError.self) {
                try await world.operators.setPassword(of: SignInName("bob"), to: Password("another password"))
            },
        ] {
            #expect(error?.isNotFound == true)
        }
    }

    @Test("disabling and enabling an admin, found by any case of the name")
    func setDisabled() async throws {
        let world = World()
        let alice = try await world.admin("Alice")

        let disabled = try await world.operators.setDisabled(SignInName("alice"), true)
        #expect(disabled.id == alice.id)
        #expect(disabled.isDisabled)
        #expect(try await world.store.find(id: alice.id)?.isDisabled == true)

        let enabled = try await world.operators.setDisabled(SignInName("ALICE"), false)
        #expect(enabled.isDisabled == false)
    }

    @Test("setting a password replaces the old one")
    func setPassword() async throws {
        let world = World()
        _ = try await world.admin("alice", password: "old password 1")
        try await world.operators.setPassword(of: SignInName("alice"), to: Password("new password 2"))
        #expect(try await world.store.verifyCredentials(SignInName("alice"), password: Password(unchecked: "new password 2")) != nil)
        #expect(try await world.store.verifyCredentials(SignInName("alice"), password: Password(unchecked: "old password 1")) == nil)
    }
}
