/// What an operator does from the command line with direct database access: bootstrap
/// admins and companies. No admin sign-in; actions are recorded as the operator's.
public struct OperatorService: Sendable {
    private let companies: any CompanyRepository
    private let admins: any AdminRepository
    private let memberships: any MembershipRepository
    private let actor: AuditActor

    public init(companies: any CompanyRepository, admins: any AdminRepository, memberships: any MembershipRepository, operatorName: String) {
        self.companies = companies
        self.admins = admins
        self.memberships = memberships
        self.actor = .operator(operatorName)
    }

    public func createAdmin(_ newAdmin: NewAdmin, password: Password) async throws -> Admin {
        try await admins.create(newAdmin, password: password)
    }

    public func listAdmins() async throws -> [Admin] {
        try await admins.list()
    }

    public func setPassword(of signInName: SignInName, to password: Password) async throws {
        let admin = try await requireAdmin(signInName)
        try await admins.setPassword(admin.id, to: password)
    }

    public func setDisabled(_ signInName: SignInName, _ disabled: Bool) async throws -> Admin {
        let admin = try await requireAdmin(signInName)
        try await admins.setDisabled(admin.id, disabled)
        return try await requireAdmin(signInName)
    }

    public func createCompany(_ name: CompanyName) async throws -> Company {
        try await companies.create(name, by: actor)
    }

    public func listCompanies() async throws -> [Company] {
        try await companies.list()
    }

    public func addAdmin(_ signInName: SignInName, to reference: CompanyReference, role: Role) async throws -> (Company, Admin, Membership) {
        let company = try await requireCompany(reference)
        let admin = try await requireAdmin(signInName)
        let membership = try await memberships.grant(role, to: admin.id, in: company.id, by: actor)
        return (company, admin, membership)
    }

    public func members(of reference: CompanyReference) async throws -> [CompanyMember] {
        let company = try await requireCompany(reference)
        return try await memberships.members(of: company.id)
    }

    private func requireAdmin(_ signInName: SignInName) async throws -> Admin {
        guard let admin = try await admins.find(signInName) else { throw DomainError.notFound("admin", signInName.value) }
        return admin
    }

    private func requireCompany(_ reference: CompanyReference) async throws -> Company {
        guard let company = try await companies.find(reference) else { throw DomainError.companyNotFound(reference) }
        return company
    }
}
