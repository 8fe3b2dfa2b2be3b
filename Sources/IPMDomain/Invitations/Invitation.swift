public import Foundation

/// Identifies one invitation.
public typealias InvitationID = Identifier<Invitation>

/// A company admin's invitation for a newcomer to sign up and join the company with `role`.
/// The token is shown once, as a link; storage keeps only its SHA-256 digest. An invitation
/// is used at most once and expires.
public struct Invitation: Sendable, Hashable, Identifiable {
    public let id: InvitationID
    public let company: Company
    public let role: Role
    public let invitedBy: AuditActor
    public let createdAt: Date
    public let expiresAt: Date
    public let acceptedAt: Date?
    public let revokedAt: Date?

    public init(
        id: InvitationID = InvitationID(), company: Company, role: Role, invitedBy: AuditActor,
        createdAt: Date, expiresAt: Date, acceptedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.company = company
        self.role = role
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.revokedAt = revokedAt
    }

    /// Invitations last a week.
    public static let lifetime: TimeInterval = 7 * 86_400
    /// Every token starts so, which lets secret scanners find it.
    public static let prefix = "ipm_inv_"

    /// Why it can no longer be used at `now`, or `nil` when it can.
    public func refusal(at now: Date) -> InvitationRefusal? {
        if acceptedAt != nil { return .used }
        if revokedAt != nil { return .revoked }
        if now >= expiresAt { return .expired }
        return nil
    }
}

/// Why an invitation link does not work. Nothing is changed.
public enum InvitationRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case unknown, expired, used, revoked

    public var description: String {
        switch self {
        case .unknown: return "This invitation link is not valid. Check that you copied the whole link, or ask a company admin for a new invitation."
        case .expired: return "This invitation has expired. Ask a company admin for a new invitation."
        case .used:
            return "This invitation has already been used. Sign in with the account created with it, or ask a company admin for a new invitation."
        case .revoked: return "This invitation was revoked by a company admin. Ask a company admin for a new invitation."
        }
    }
}

/// A new invitation and its token, shown once.
public struct IssuedInvitation: Sendable {
    public let invitation: Invitation
    public let token: Secret
}

/// What a newcomer fills in to accept an invitation, validated by the domain's rules.
public struct SignUp: Sendable {
    public let admin: NewAdmin
    public let password: Password

    public init(signInName: String, password: String, displayName: String?, email: String?) throws(DomainError) {
        let name = try SignInName(signInName)
        let trimmedEmail = (email ?? "").trimmingWhitespace()
        let address: EmailAddress? = trimmedEmail.isEmpty ? nil : try EmailAddress(trimmedEmail)
        self.admin = try NewAdmin(signInName: name, displayName: displayName, email: address)
        self.password = try Password(password)
    }
}

/// Invitations, stored by the digest of their token.
public protocol InvitationRepository: Sendable {
    /// Stores the invitation and records it in the company's activity, in one transaction.
    func create(_ invitation: Invitation, token: Secret) async throws
    /// The invitation with this token, whatever its state.
    func find(token: Secret) async throws -> Invitation?
    /// The company's invitations that can still be used at `now`, newest first.
    func pending(in company: CompanyID, at now: Date) async throws -> [Invitation]
    /// Revokes a pending invitation of the company and records it; `false` when there is none.
    func revoke(_ id: InvitationID, in company: CompanyID, by actor: AuditActor, at now: Date) async throws -> Bool
    /// In one transaction: locks the invitation, refuses it (`InvitationRefusal`) unless it
    /// can be used at `now`, creates the admin (`alreadyExists` when the sign-in name is
    /// taken), grants the invited role, marks the invitation used and records who joined
    /// on whose invitation. Any refusal changes nothing.
    func accept(token: Secret, _ signUp: SignUp, at now: Date) async throws -> (Admin, Invitation)
}

/// Inviting newcomers to a company, and signing up with an invitation.
public struct InvitationService: Sendable {
    private let invitations: any InvitationRepository
    private let access: CompanyAccess
    private let clock: any Clock
    private let random: any RandomSource
    private let throttle: any SignInThrottle
    private let limits: SignUpLimits

    /// How many sign-ups may reach the sign-in name check in a window: sign-in names are
    /// unique across the deployment, so each answer tells whether a name is taken anywhere.
    public struct SignUpLimits: Sendable, Hashable {
        public var window: TimeInterval
        public var perInvitation: Int
        public var perAddress: Int

        public init(window: TimeInterval = 15 * 60, perInvitation: Int = 5, perAddress: Int = 20) {
            self.window = window
            self.perInvitation = perInvitation
            self.perAddress = perAddress
        }
    }

    public init(
        invitations: any InvitationRepository, access: CompanyAccess, clock: any Clock, random: any RandomSource,
        throttle: any SignInThrottle, limits: SignUpLimits = SignUpLimits()
    ) {
        self.invitations = invitations
        self.access = access
        self.clock = clock
        self.random = random
        self.throttle = throttle
        self.limits = limits
    }

    /// A company admin (not a viewer) invites someone to join with `role`.
    public func invite(to reference: CompanyReference, as role: Role, by admin: Admin) async throws -> IssuedInvitation {
        let (company, _) = try await access.authorize(.manageMembers, reference, admin)
        let now = clock.now()
        let invitation = Invitation(
            company: company, role: role, invitedBy: .admin(admin.id, admin.signInName),
            createdAt: now, expiresAt: now.addingTimeInterval(Invitation.lifetime)
        )
        let token = Secret(Invitation.prefix + Base64URL.encode(random.bytes(32)))
        try await invitations.create(invitation, token: token)
        return IssuedInvitation(invitation: invitation, token: token)
    }

    /// The company's usable invitations, for its admins.
    public func pending(in reference: CompanyReference, for admin: Admin) async throws -> [Invitation] {
        let (company, _) = try await access.authorize(.manageMembers, reference, admin)
        return try await invitations.pending(in: company.id, at: clock.now())
    }

    public func revoke(_ id: InvitationID, in reference: CompanyReference, by admin: Admin) async throws {
        let (company, _) = try await access.authorize(.manageMembers, reference, admin)
        guard try await invitations.revoke(id, in: company.id, by: .admin(admin.id, admin.signInName), at: clock.now()) else {
            throw DomainError.notFound("invitation", id.description)
        }
    }

    /// The invitation a link names, if it can still be used; otherwise throws `InvitationRefusal`.
    public func usable(_ token: Secret) async throws -> Invitation {
        guard token.value.hasPrefix(Invitation.prefix), let invitation = try await invitations.find(token: token) else {
            throw InvitationRefusal.unknown
        }
        if let refusal = invitation.refusal(at: clock.now()) { throw refusal }
        return invitation
    }

    /// Creates the newcomer's account in the invited company, atomically with using up the
    /// invitation. Throttled per invitation and per client address (`SignUpThrottled`): the
    /// attempt is counted before the name is looked at, so a parallel burst cannot pass.
    public func accept(_ token: Secret, _ signUp: SignUp, clientAddress: String?) async throws -> (Admin, Invitation) {
        let invitation = try await usable(token)
        let now = clock.now()
        let keys =
            [ThrottleKey("sign-up:invitation:\(invitation.id)", limit: limits.perInvitation)]
            + (clientAddress.map { [ThrottleKey("sign-up:address:\($0)", limit: limits.perAddress)] } ?? [])
        // Every attempt stays counted (it is never forgiven): an invitation link can test a
        // handful of names, not list them.
        if let full = try await throttle.admit(attempt: UUID(), keys: keys, since: now.addingTimeInterval(-limits.window), at: now) {
            throw SignUpThrottled(retryAfter: (full.oldest ?? now).addingTimeInterval(limits.window).timeIntervalSince(now))
        }
        return try await invitations.accept(token: token, signUp, at: now)
    }
}

/// Too many sign-ups with one invitation, or from one address; nothing was changed.
public struct SignUpThrottled: Error, Sendable, Hashable, CustomStringConvertible {
    /// Seconds until the window lets another attempt through.
    public let retryAfter: TimeInterval

    public var description: String {
        "Too many sign-up attempts. Nothing was changed; try again in \(max(1, Int((retryAfter / 60).rounded(.up)))) minute\(retryAfter > 60 ? "s" : "")."
    }
}
