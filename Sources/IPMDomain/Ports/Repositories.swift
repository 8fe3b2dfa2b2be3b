public import Foundation

/// Companies (tenants).
public protocol CompanyRepository: Sendable {
    /// Creates a company and records it; `alreadyExists` when the name is taken case-insensitively.
    func create(_ name: CompanyName, by actor: AuditActor) async throws -> Company
    func find(_ reference: CompanyReference) async throws -> Company?
    func list() async throws -> [Company]
}

/// Admins. Password hashes stay inside implementations.
public protocol AdminRepository: Sendable {
    /// `alreadyExists` when the sign-in name is taken case-insensitively.
    func create(_ admin: NewAdmin, password: Password) async throws -> Admin
    func find(_ signInName: SignInName) async throws -> Admin?
    func find(id: AdminID) async throws -> Admin?
    func list() async throws -> [Admin]
    /// Sets a new password and, in the same transaction, revokes every session (web and CLI)
    /// and personal API token of the admin: whoever held the old password is out for good.
    func setPassword(_ id: AdminID, to password: Password) async throws
    /// Disabling also revokes every session and personal API token in the same transaction;
    /// enabling again brings none of them back.
    func setDisabled(_ id: AdminID, _ disabled: Bool) async throws
    /// The admin when the name exists and the password matches, else `nil`. Disabled
    /// admins are returned so the caller can say so.
    func verifyCredentials(_ signInName: SignInName, password: Password) async throws -> Admin?
}

/// Who belongs to which company, with which role.
public protocol MembershipRepository: Sendable {
    /// Adds the admin to the company or changes their role, recording it.
    @discardableResult
    func grant(_ role: Role, to admin: AdminID, in company: CompanyID, by actor: AuditActor) async throws -> Membership
    func role(of admin: AdminID, in company: CompanyID) async throws -> Role?
    /// The admin's companies with role and connection, by company name.
    func companies(visibleTo admin: AdminID) async throws -> [CompanyOverview]
    func members(of company: CompanyID) async throws -> [CompanyMember]
}

/// An admin as a member of one company.
public struct CompanyMember: Hashable, Sendable {
    public let admin: Admin
    public let role: Role

    public init(admin: Admin, role: Role) {
        self.admin = admin
        self.role = role
    }
}

/// Each company's UPS connection.
public protocol UPSConnectionRepository: Sendable {
    /// The stored connection, or `notConnected` for a company that never opted in.
    func connection(for company: CompanyID) async throws -> UPSConnection
    /// Locks the company's connection, applies `change`, and stores the new connection and
    /// its audit event in one transaction. Tokens are destroyed whenever the new status
    /// holds none. Errors thrown by `change` leave everything as it was.
    @discardableResult
    func transition(_ company: CompanyID, _ change: @escaping @Sendable (UPSConnection) throws -> ConnectionTransition) async throws -> UPSConnection
    func countByStatus() async throws -> [ConnectionStatus: Int]

    /// Locks the company's connection for as long as `body` runs — across every instance,
    /// even while `body` awaits UPS — and stores the update it returns in the same
    /// transaction (`nil` changes nothing). A rotated pair is never lost to a database
    /// hiccup at commit: it is written again, on a new connection, over exactly the
    /// generation it replaces. Errors thrown by `body` leave everything as it was.
    /// A refresh under way is also leased in a committed row, so that when the database loses
    /// the lock (a restart) no other instance sends the same refresh token meanwhile.
    /// - Returns: `body`'s value, or `nil` when `lock` is `.skipIfLocked` and another holder has
    ///   the row, or when another holder's refresh of this company is under way (its lease).
    func withLockedConnection<R: Sendable>(
        _ company: CompanyID, _ lock: LockWaitPolicy,
        _ body: (LockedConnection) async throws -> (ConnectionUpdate?, R)
    ) async throws -> R?

    /// The connection with its sealed tokens as committed now, without a lock (a fast read
    /// for the token API; decisions that write go through `withLockedConnection`).
    func snapshot(of company: CompanyID) async throws -> LockedConnection

    /// Authenticated companies due for a refresh at `now` under `policy` (see
    /// `UPSConnection.isDueForRefresh`), soonest expiry first.
    func dueForRefresh(at now: Date, policy: RefreshPolicy, limit: Int) async throws -> [CompanyID]

    /// Claims those of `candidates` (a list `dueForRefresh` made) that are still due at `now`
    /// and whose refresh is not under way anywhere (a row lock or an unexpired lease), for
    /// refreshes by `holder`: one short transaction commits a lease on each, so no other caller
    /// on any instance sends their refresh tokens until the claim is completed or its lease
    /// expires. No row lock and no database connection is held once it returns. Looks only at
    /// the candidates, however many connections there are.
    func claimDue(_ candidates: [CompanyID], at now: Date, policy: RefreshPolicy, holder: UUID) async throws -> [LockedConnection]

    /// Ends `holder`'s claims of these companies in one transaction (one commit for many
    /// refreshes): locks the rows, ends the leases, and for each row that still holds the
    /// claimed token `generation`, stores what its `decide` makes of the row as it is now. A
    /// rotated pair is never lost to a database hiccup: the whole step is tried again on a new
    /// connection, and a pair already stored counts as stored.
    /// - Returns: one result per claim, in their order: `decide`'s value, `nil` when the claimed
    ///   pair was replaced meanwhile, or the error `decide` threw (that company is left as it
    ///   was, the others are stored). A thrown error means nothing was stored.
    func completeClaims<R: Sendable>(_ claims: [ClaimCompletion<R>], holder: UUID) async throws -> [Result<R?, any Error>]

    /// Ends `holder`'s leases of these companies without changing them (claims never started).
    func releaseClaims(_ companies: [CompanyID], holder: UUID) async throws
}

/// Started opt-ins.
public protocol AuthorizationRequestRepository: Sendable {
    /// Stores a started opt-in, and forgets requests that expired before `purgeBefore`.
    func insert(_ request: AuthorizationRequest, purgingExpiredBefore purgeBefore: Date) async throws
    /// Finds the request by its state digest and locks it; when `check` accepts it (does not
    /// throw), marks it consumed at `now`, in one transaction. A request is consumed once.
    /// - Returns: the request as it was before this call, or `nil` when no request has this digest.
    func consume(
        stateDigest: [UInt8], at now: Date, check: @escaping @Sendable (AuthorizationRequest) throws -> Void
    ) async throws -> AuthorizationRequest?
    /// The company's most recently started request (kept until a day past its expiry), with
    /// the sign-in name of the admin who started it.
    func latest(for company: CompanyID) async throws -> (request: AuthorizationRequest, startedBy: String)?
}

/// Companies' activity.
public protocol AuditEventRepository: Sendable {
    func append(_ event: AuditEvent) async throws
    /// Newest first; `before` continues after the last event of the previous page.
    func events(for company: CompanyID, limit: Int, before: AuditCursor?) async throws -> [AuditEvent]
}

/// One claimed connection's ending (`UPSConnectionRepository.completeClaims`): what to make of
/// its row, if the row still holds the claimed token generation.
public struct ClaimCompletion<Value: Sendable>: Sendable {
    public var company: CompanyID
    public var generation: Int64
    public var decide: @Sendable (LockedConnection) throws -> (ConnectionUpdate?, Value)

    public init(
        _ company: CompanyID, generation: Int64, decide: @escaping @Sendable (LockedConnection) throws -> (ConnectionUpdate?, Value)
    ) {
        self.company = company
        self.generation = generation
        self.decide = decide
    }
}
