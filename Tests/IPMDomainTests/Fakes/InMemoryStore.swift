import Foundation
import IPMDomain

/// Every repository port over process memory. Being an actor, each call runs alone, so a
/// transition is atomic: the connection and its audit event are stored together or not at all.
actor InMemoryStore: CompanyRepository, AdminRepository, MembershipRepository, UPSConnectionRepository, AuditEventRepository {
    private let clock: any IPMDomain.Clock
    private let hasher: any PasswordHasher

    private var companiesByID: [CompanyID: Company] = [:]
    private var adminsByID: [AdminID: Admin] = [:]
    private var passwordHashes: [AdminID: String] = [:]
    private var roles: [CompanyID: [AdminID: Role]] = [:]
    private var connections: [CompanyID: UPSConnection] = [:]
    private var auditEvents: [AuditEvent] = []

    /// The `limit` the last `events(for:limit:before:)` call received, so tests can see clamping.
    private(set) var lastRequestedLimit: Int?

    init(clock: any IPMDomain.Clock = FixedClock(), hasher: any PasswordHasher = PlaintextPasswordHasher()) {
        self.clock = clock
        self.hasher = hasher
    }

    // MARK: CompanyRepository

    func create(_ name: CompanyName, by actor: AuditActor) async throws -> Company {
        guard !companiesByID.values.contains(where: { $0.name == name }) else {
            throw DomainError.alreadyExists("company", name.value)
        }
        let company = Company(name: name, createdAt: clock.now())
        companiesByID[company.id] = company
        auditEvents.append(
            AuditEvent(
                companyID: company.id, actor: actor, occurredAt: company.createdAt, action: .companyCreated, detail: "Company \(name.value) created.")
        )
        return company
    }

    func find(_ reference: CompanyReference) async throws -> Company? {
        switch reference {
        case .id(let id): return companiesByID[id]
        case .name(let name): return companiesByID.values.first { $0.name == name }
        }
    }

    func list() async throws -> [Company] {
        companiesByID.values.sorted { $0.name.normalized < $1.name.normalized }
    }

    // MARK: AdminRepository

    func create(_ admin: NewAdmin, password: Password) async throws -> Admin {
        guard !adminsByID.values.contains(where: { $0.signInName == admin.signInName }) else {
            throw DomainError.alreadyExists("admin", admin.signInName.value)
        }
        let created = Admin(signInName: admin.signInName, displayName: admin.displayName, email: admin.email, createdAt: clock.now())
        passwordHashes[created.id] = try await hasher.hash(password)
        adminsByID[created.id] = created
        return created
    }

    func find(_ signInName: SignInName) async throws -> Admin? {
        adminsByID.values.first { $0.signInName == signInName }
    }

    func find(id: AdminID) async throws -> Admin? {
        adminsByID[id]
    }

    func list() async throws -> [Admin] {
        adminsByID.values.sorted { $0.signInName.normalized < $1.signInName.normalized }
    }

    func setPassword(_ id: AdminID, to password: Password) async throws {
        guard adminsByID[id] != nil else { throw DomainError.notFound("admin", id.description) }
        passwordHashes[id] = try await hasher.hash(password)
    }

    func setDisabled(_ id: AdminID, _ disabled: Bool) async throws {
        guard adminsByID[id] != nil else { throw DomainError.notFound("admin", id.description) }
        adminsByID[id]?.isDisabled = disabled
    }

    func verifyCredentials(_ signInName: SignInName, password: Password) async throws -> Admin? {
        guard let admin = try await find(signInName), let hash = passwordHashes[admin.id],
            try await hasher.verify(password, against: hash)
        else { return nil }
        return admin
    }

    // MARK: MembershipRepository

    @discardableResult
    func grant(_ role: Role, to admin: AdminID, in company: CompanyID, by actor: AuditActor) async throws -> Membership {
        guard companiesByID[company] != nil else { throw DomainError.notFound("company", company.description) }
        guard let granted = adminsByID[admin] else { throw DomainError.notFound("admin", admin.description) }
        roles[company, default: [:]][admin] = role
        auditEvents.append(
            AuditEvent(
                companyID: company, actor: actor, occurredAt: clock.now(), action: .membershipGranted,
                detail: "\(granted.signInName.value) may act as \(role.rawValue)."))
        return Membership(adminID: admin, companyID: company, role: role)
    }

    func role(of admin: AdminID, in company: CompanyID) async throws -> Role? {
        roles[company]?[admin]
    }

    func companies(visibleTo admin: AdminID) async throws -> [CompanyOverview] {
        roles.compactMap { companyID, members -> CompanyOverview? in
            guard let role = members[admin], let company = companiesByID[companyID] else { return nil }
            return CompanyOverview(company: company, role: role, connection: connections[companyID] ?? .notConnected(companyID))
        }
        .sorted { $0.company.name.normalized < $1.company.name.normalized }
    }

    func members(of company: CompanyID) async throws -> [CompanyMember] {
        (roles[company] ?? [:]).compactMap { adminID, role -> CompanyMember? in
            adminsByID[adminID].map { CompanyMember(admin: $0, role: role) }
        }
        .sorted { $0.admin.signInName.normalized < $1.admin.signInName.normalized }
    }

    // MARK: UPSConnectionRepository

    func connection(for company: CompanyID) async throws -> UPSConnection {
        connections[company] ?? .notConnected(company)
    }

    @discardableResult
    func transition(_ company: CompanyID, _ change: @escaping @Sendable (UPSConnection) throws -> ConnectionTransition) async throws -> UPSConnection
    {
        guard companiesByID[company] != nil else { throw DomainError.notFound("company", company.description) }
        // No suspension point from here on: nobody sees a half-done transition.
        let result = try change(connections[company] ?? .notConnected(company))
        precondition(result.connection.companyID == company, "a transition must stay with its company")
        connections[company] = result.connection
        if !result.connection.holdsTokens { tokens[company] = nil }
        if let event = result.event { auditEvents.append(event) }
        return result.connection
    }

    func countByStatus() async throws -> [ConnectionStatus: Int] {
        var counts: [ConnectionStatus: Int] = [:]
        for companyID in companiesByID.keys {
            counts[connections[companyID]?.status ?? .notConnected, default: 0] += 1
        }
        return counts
    }

    /// The fake's "lock" is the actor itself: `body` may suspend, so unlike PostgreSQL it
    /// does not serialise concurrent callers — engine tests use the real repository.
    nonisolated func withLockedConnection<R: Sendable>(
        _ company: CompanyID, _ lock: LockWaitPolicy,
        _ body: (LockedConnection) async throws -> (ConnectionUpdate?, R)
    ) async throws -> R? {
        let locked = try await lockedState(company)
        let (update, value) = try await body(locked)
        if let update { await store(update, for: company) }
        return value
    }

    func snapshot(of company: CompanyID) async throws -> LockedConnection {
        try lockedState(company)
    }

    private func lockedState(_ company: CompanyID) throws -> LockedConnection {
        guard companiesByID[company] != nil else { throw DomainError.notFound("company", company.description) }
        let current = connections[company] ?? .notConnected(company)
        return LockedConnection(connection: current, tokens: current.holdsTokens ? tokens[company] : nil, generation: generations[company] ?? 0)
    }

    private func store(_ update: ConnectionUpdate, for company: CompanyID) {
        connections[company] = update.transition.connection
        if let event = update.transition.event { auditEvents.append(event) }
        if let newTokens = update.newTokens {
            tokens[company] = newTokens
            generations[company, default: 0] += 1
        } else if !update.transition.connection.holdsTokens {
            tokens[company] = nil
        }
    }

    func dueForRefresh(at now: Date, policy: RefreshPolicy, limit: Int) async throws -> [CompanyID] {
        connections.values
            .filter { $0.isDueForRefresh(at: now, policy: policy) }
            .sorted { ($0.accessTokenExpiresAt ?? .distantPast) < ($1.accessTokenExpiresAt ?? .distantPast) }
            .prefix(limit)
            .map(\.companyID)
    }

    /// The fake's claims: a lease per company, by holder (no expiry).
    func claimDue(_ candidates: [CompanyID], at now: Date, policy: RefreshPolicy, holder: UUID) async throws -> [LockedConnection] {
        var claimed: [LockedConnection] = []
        for company in candidates where leases[company] == nil && connections[company]?.isDueForRefresh(at: now, policy: policy) == true {
            guard let locked = try? lockedState(company), locked.tokens != nil else { continue }
            leases[company] = holder
            claimed.append(locked)
        }
        return claimed
    }

    func completeClaims<R: Sendable>(_ claims: [ClaimCompletion<R>], holder: UUID) async throws -> [Result<R?, any Error>] {
        claims.map { claim in
            Result {
                let current = try lockedState(claim.company)
                if leases[claim.company] == holder { leases[claim.company] = nil }
                guard current.generation == claim.generation else { return nil }
                let (update, value) = try claim.decide(current)
                if let update { store(update, for: claim.company) }
                return value
            }
        }
    }

    func releaseClaims(_ companies: [CompanyID], holder: UUID) async throws {
        for company in companies where leases[company] == holder { leases[company] = nil }
    }

    private var tokens: [CompanyID: SealedTokenPair] = [:]
    private var generations: [CompanyID: Int64] = [:]
    private var leases: [CompanyID: UUID] = [:]

    // MARK: AuditEventRepository

    func append(_ event: AuditEvent) async throws {
        auditEvents.append(event)
    }

    func events(for company: CompanyID, limit: Int, before: AuditCursor?) async throws -> [AuditEvent] {
        lastRequestedLimit = limit
        let newestFirst =
            auditEvents
            .filter { $0.companyID == company }
            .sorted { Self.position($0.occurredAt, $0.id) > Self.position($1.occurredAt, $1.id) }
        guard let before else { return Array(newestFirst.prefix(max(0, limit))) }
        let cursor = Self.position(before.occurredAt, before.id)
        return Array(newestFirst.filter { Self.position($0.occurredAt, $0.id) < cursor }.prefix(max(0, limit)))
    }

    /// Orders events as PostgreSQL would by `(occurred_at, id)`: time first, then the id's bytes.
    private static func position(_ date: Date, _ id: AuditEventID) -> Position {
        Position(time: date.timeIntervalSinceReferenceDate, id: id.description)
    }

    private struct Position: Comparable {
        let time: TimeInterval
        let id: String
        static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.time, lhs.id) < (rhs.time, rhs.id)
        }
    }

    // MARK: For tests

    /// Every event, in the order it was recorded.
    var allEvents: [AuditEvent] { auditEvents }
}
