/// What a signed-in admin does with companies, under the access rules. Every front goes
/// through here, so the web, the CLI and the TUI enforce the same rules.
public struct CompanyAccess: Sendable {
    private let companies: any CompanyRepository
    private let memberships: any MembershipRepository
    private let connections: any UPSConnectionRepository
    private let audit: any AuditEventRepository
    private let clock: any Clock
    /// Where started opt-ins are; without it an overview never tells of one.
    private let requests: (any AuthorizationRequestRepository)?

    public init(
        companies: any CompanyRepository, memberships: any MembershipRepository,
        connections: any UPSConnectionRepository, audit: any AuditEventRepository, clock: any Clock,
        requests: (any AuthorizationRequestRepository)? = nil
    ) {
        self.companies = companies
        self.memberships = memberships
        self.connections = connections
        self.audit = audit
        self.clock = clock
        self.requests = requests
    }

    /// *Manage → Settings*: the admin's companies with their UPS OAuth status.
    public func overview(for admin: Admin) async throws -> [CompanyOverview] {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        return try await memberships.companies(visibleTo: admin.id)
    }

    /// One company, when the admin may `action` on it (at least view it), with an opt-in
    /// that is waiting for UPS or never came back.
    public func company(_ reference: CompanyReference, for admin: Admin, action: CompanyAction = .view) async throws -> CompanyOverview {
        let (company, role) = try await authorize(action, reference, admin)
        let connection = try await connections.connection(for: company.id)
        return CompanyOverview(company: company, role: role, connection: connection, optIn: try await optInAttempt(company.id, connection))
    }

    private func optInAttempt(_ company: CompanyID, _ connection: UPSConnection) async throws -> OptInAttempt? {
        guard let latest = try await requests?.latest(for: company) else { return nil }
        return OptInAttempt(latest.request, startedBy: latest.startedBy, connection: connection, at: clock.now())
    }

    /// *Opt-Out*: destroys the tokens and records it.
    public func optOut(_ reference: CompanyReference, by admin: Admin) async throws -> UPSConnection {
        let (company, _) = try await authorize(.optOut, reference, admin)
        let now = clock.now()
        return try await connections.transition(company.id) { connection in
            try connection.optOut(by: admin, at: now)
        }
    }

    /// One page of the company's activity, newest first, from `before` on (`limit` held to
    /// 1…500): one more event than the page holds is read, so `next` is set exactly when
    /// there is an older event, a full page of 500 included.
    public func activity(_ reference: CompanyReference, for admin: Admin, limit: Int = 50, before: AuditCursor? = nil) async throws -> AuditEventPage
    {
        let (company, _) = try await authorize(.view, reference, admin)
        let limit = min(max(limit, AuditEventPage.limits.lowerBound), AuditEventPage.limits.upperBound)
        let fetched = try await audit.events(for: company.id, limit: limit + 1, before: before)
        let events = Array(fetched.prefix(limit))
        return AuditEventPage(events: events, next: fetched.count > limit ? events.last.map(AuditCursor.init(after:)) : nil)
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
