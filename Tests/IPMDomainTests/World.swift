import Foundation
import IPMDomain

/// One in-memory deployment: a store, a clock and the services over them.
struct World {
    let clock = FixedClock()
    let store: InMemoryStore
    let operators: OperatorService
    let access: CompanyAccess

    init() {
        store = InMemoryStore(clock: clock)
        operators = OperatorService(companies: store, admins: store, memberships: store, operatorName: "ops")
        access = CompanyAccess(companies: store, memberships: store, connections: store, audit: store, clock: clock)
    }

    func admin(_ signInName: String, password: String = "correct horse battery") async throws -> Admin {
        try await operators.createAdmin(NewAdmin(signInName: SignInName(signInName)), password: Password(password))
    }

    func company(_ name: String) async throws -> Company {
        try await operators.createCompany(CompanyName(name))
    }

    @discardableResult
    func grant(_ role: Role, _ admin: Admin, _ company: Company) async throws -> Membership {
        try await operators.addAdmin(admin.signInName, to: .id(company.id), role: role).2
    }

    /// Puts the company's connection in the authenticated state, as a completed opt-in would.
    @discardableResult
    func optIn(_ company: Company, by admin: Admin) async throws -> UPSConnection {
        let now = clock.now()
        return try await store.transition(company.id) { try $0.optIn(by: admin, at: now, lifetimes: Fixture.lifetimes(from: now)) }
    }
}
