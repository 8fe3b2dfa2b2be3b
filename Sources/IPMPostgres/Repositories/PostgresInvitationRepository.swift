public import Foundation
public import IPMDomain

/// Invitations by the SHA-256 digest of their token (as sessions, see `PostgresSessionRepository.digest`).
public struct PostgresInvitationRepository: InvitationRepository {
    private let client: PostgresClient
    private let hasher: any PasswordHasher

    public init(client: PostgresClient, hasher: any PasswordHasher) {
        self.client = client
        self.hasher = hasher
    }

    private static let columns = """
        i.id AS invitation_id, i.role, i.invited_by_kind, i.invited_by_id, i.invited_by_name, i.created_at AS invited_at, i.expires_at,
        i.accepted_at, i.revoked_at, \(Company.columns)
        """

    public func create(_ invitation: Invitation, token: Secret) async throws {
        try await client.withTransaction { connection in
            let (kind, adminID, name) = invitation.invitedBy.columns
            try connection.execute(
                """
                INSERT INTO invitations (id, company_id, role, token_digest, invited_by_kind, invited_by_id, invited_by_name, created_at, expires_at)
                VALUES (\(invitation.id.rawValue), \(invitation.company.id.rawValue), \(invitation.role.rawValue),
                        \(PostgresSessionRepository.digest(token)), \(kind), \(adminID), \(name), \(invitation.createdAt), \(invitation.expiresAt))
                """)
            try AuditEvent(
                companyID: invitation.company.id, actor: invitation.invitedBy, occurredAt: invitation.createdAt, action: .invitationCreated,
                detail:
                    "\(name) invited someone to join as \(invitation.role.rawValue) (invitation \(invitation.id), expires \(invitation.expiresAt.formatted(.iso8601)))."
            ).insert(on: connection)
        }
    }

    public func find(token: Secret) async throws -> Invitation? {
        try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM invitations i JOIN companies c ON c.id = i.company_id
            WHERE i.token_digest = \(PostgresSessionRepository.digest(token))
            """
        ).first.map(Invitation.init(row:))
    }

    public func pending(in company: CompanyID, at now: Date) async throws -> [Invitation] {
        try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM invitations i JOIN companies c ON c.id = i.company_id
            WHERE i.company_id = \(company.rawValue) AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > \(now)
            ORDER BY i.created_at DESC, i.id
            """
        ).map(Invitation.init(row:))
    }

    public func revoke(_ id: InvitationID, in company: CompanyID, by actor: AuditActor, at now: Date) async throws -> Bool {
        try await client.withTransaction { connection in
            let updated = try connection.execute(
                """
                UPDATE invitations SET revoked_at = \(now)
                WHERE id = \(id.rawValue) AND company_id = \(company.rawValue) AND accepted_at IS NULL AND revoked_at IS NULL
                """)
            guard updated == 1 else { return false }
            try AuditEvent(companyID: company, actor: actor, occurredAt: now, action: .invitationRevoked, detail: "Invitation \(id) revoked.")
                .insert(on: connection)
            return true
        }
    }

    public func accept(token: Secret, _ signUp: SignUp, at now: Date) async throws -> (Admin, Invitation) {
        let hash = try await hasher.hash(signUp.password)
        let digest = PostgresSessionRepository.digest(token)
        return try await client.withTransaction { connection in
            guard
                let row = try connection.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM invitations i JOIN companies c ON c.id = i.company_id
                    WHERE i.token_digest = \(digest) FOR UPDATE OF i
                    """
                ).first
            else { throw InvitationRefusal.unknown }
            let invitation = try Invitation(row: row)
            if let refusal = invitation.refusal(at: now) { throw refusal }
            let taken = try connection.query(
                """
                SELECT 1 FROM admins WHERE lower(sign_in_name) = lower(\(signUp.admin.signInName.value))
                """)
            guard taken.isEmpty else { throw DomainError.alreadyExists("admin", signUp.admin.signInName.value) }
            let admin = Admin(signInName: signUp.admin.signInName, displayName: signUp.admin.displayName, email: signUp.admin.email, createdAt: now)
            // A concurrent sign-up with the same name loses at the unique index; the error rolls everything back.
            do throws(PostgresError) {
                try connection.execute(
                    """
                    INSERT INTO admins (id, sign_in_name, display_name, email, password_hash, disabled, created_at, updated_at)
                    VALUES (\(admin.id.rawValue), \(admin.signInName.value), \(admin.displayName), \(admin.email?.value), \(hash), false, \(now), \(now))
                    """)
            } catch {
                if error.isUniqueViolation { throw DomainError.alreadyExists("admin", signUp.admin.signInName.value) }
                throw error
            }
            try connection.execute(
                """
                INSERT INTO memberships (company_id, admin_id, role, granted_at)
                VALUES (\(invitation.company.id.rawValue), \(admin.id.rawValue), \(invitation.role.rawValue), \(now))
                """)
            try connection.execute(
                """
                UPDATE invitations SET accepted_at = \(now), accepted_by = \(admin.id.rawValue) WHERE id = \(invitation.id.rawValue)
                """)
            try AuditEvent(
                companyID: invitation.company.id, actor: .admin(admin.id, admin.signInName), occurredAt: now, action: .membershipGranted,
                detail:
                    "\(admin.signInName.value) signed up and joined as \(invitation.role.rawValue) on the invitation of \(invitation.invitedBy) (invitation \(invitation.id))."
            ).insert(on: connection)
            return (admin, invitation)
        }
    }
}

extension Invitation {
    init(row: PostgresRow) throws {
        self.init(
            id: InvitationID(try row.decode("invitation_id", as: UUID.self)),
            company: try Company(row: row),
            role: try Role(parsing: try row.decode("role", as: String.self)),
            invitedBy: try AuditActor(
                kind: try row.decode("invited_by_kind", as: String.self), adminID: try row.decode("invited_by_id", as: UUID?.self),
                name: try row.decode("invited_by_name", as: String.self)
            ),
            createdAt: try row.decode("invited_at", as: Date.self),
            expiresAt: try row.decode("expires_at", as: Date.self),
            acceptedAt: try row.decode("accepted_at", as: Date?.self),
            revokedAt: try row.decode("revoked_at", as: Date?.self)
        )
    }
}
