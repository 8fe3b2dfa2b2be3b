/// What a signed-in admin does with companies, under the access rules. Every front goes
/// through here, so the web, the CLI and the TUI enforce the same rules.
public struct CompanyAccess: Sendable {
    private let companies: any CompanyRepository
    private let memberships: any MembershipRepository
    private let connections: any UPSConnectionRepository
    private let audit: any AuditEventRepository
    private let clock: any Clock

    public init(
        companies: any CompanyRepository, memberships: any MembershipRepository,
        connections: any UPSConnectionRepository, audit: any AuditEventRepository, clock: any Clock
    ) {
        self.companies = companies
        self.memberships = memberships
        self.connections = connections
        self.audit = audit
        self.clock = clock
    }

    /// *Manage → Settings*: the admin's companies with their UPS OAuth status.
    public func overview(for admin: Admin) async throws -> [CompanyOverview] {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        return try await memberships.companies(visibleTo: admin.id)
    }

    /// One company, when the admin may at least view it.
    public func company(_ reference: CompanyReference, for admin: Admin) async throws -> CompanyOverview {
        let (company, role) = try await authorize(.view, reference, admin)
        return CompanyOverview(company: company, role: role, connection: try await connections.connection(for: company.id))
    }

    /// *Opt-Out*: destroys the tokens and records it.
    public func optOut(_ reference: CompanyReference, by admin: Admin) async throws -> UPSConnection {
        let (company, _) = try await authorize(.optOut, reference, admin)
        let now = clock.now()
        return try await connections.transition(company.id) { connection in
            try connection.optOut(by: admin, at: now)
        }
    }

    /// The company's activity, newest first.
    public func activity(_ reference: CompanyReference, for admin: Admin, limit: Int = 50, before: AuditCursor? = nil) async throws -> [AuditEvent] {
        let (company, _) = try await authorize(.view, reference, admin)
        return try await audit.events(for: company.id, limit: max(1, min(limit, 500)), before: before)
    }

    /// Finds the company and checks the rule; a company the admin does not belong to is
    /// reported exactly like one that does not exist.
    public func authorize(_ action: CompanyAction, _ reference: CompanyReference, _ admin: Admin) async throws -> (Company, Role) {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        guard let company = try await companies.find(reference),
              let role = try await memberships.role(of: admin.id, in: company.id)
        else {
            throw DomainError.companyNotFound(reference)
        }
        try AccessPolicy.check(action, by: admin, role: role, company: reference)
        return (company, role)
    }
}
