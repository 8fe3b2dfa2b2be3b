import Foundation
import IPMDomain

// Row ↔ domain mapping, shared by the repositories. Values stored by the application
// were validated on the way in; a row that no longer validates is a corrupt database.

extension Company {
    static let columns = "c.id, c.name, c.created_at"

    init(row: PostgresRow) throws {
        self.init(
            id: CompanyID(try row.decode("id", as: UUID.self)),
            name: try CompanyName(try row.decode("name", as: String.self)),
            createdAt: try row.decode("created_at", as: Date.self)
        )
    }
}

extension Admin {
    /// Never includes `password_hash`.
    static let columns = "a.id, a.sign_in_name, a.display_name, a.email, a.disabled, a.created_at"

    init(row: PostgresRow) throws {
        let email = try row.decode("email", as: String?.self)
        self.init(
            id: AdminID(try row.decode("id", as: UUID.self)),
            signInName: try SignInName(try row.decode("sign_in_name", as: String.self)),
            displayName: try row.decode("display_name", as: String.self),
            email: try email.map { value throws(DomainError) in try EmailAddress(value) },
            isDisabled: try row.decode("disabled", as: Bool.self),
            createdAt: try row.decode("created_at", as: Date.self)
        )
    }
}

extension UPSConnection {
    static let columns = """
        u.company_id, u.status, u.authorized_by, u.authorized_at, u.access_token_expires_at,
        u.refresh_token_expires_at, u.reauthorization_message, u.updated_at,
        u.refresh_failures, u.next_refresh_at, u.last_refresh_error, u.refresh_failures_today,
        to_char(u.refresh_failure_day, 'YYYY-MM-DD') AS refresh_failure_day,
        u.last_refreshed_at, u.blocked_reason, u.blocked_at, u.trouble_announced, u.trouble_announced_at,
        u.expiry_warned_at, u.refresh_token_renews
        """

    init(row: PostgresRow) throws {
        let statusText = try row.decode("status", as: String.self)
        guard let status = ConnectionStatus(rawValue: statusText) else {
            throw PostgresError.decodingFailed
        }
        self.init(
            companyID: CompanyID(try row.decode("company_id", as: UUID.self)),
            status: status,
            authorizedBy: try row.decode("authorized_by", as: UUID?.self).map { AdminID($0) },
            authorizedAt: try row.decode("authorized_at", as: Date?.self),
            accessTokenExpiresAt: try row.decode("access_token_expires_at", as: Date?.self),
            refreshTokenExpiresAt: try row.decode("refresh_token_expires_at", as: Date?.self),
            reauthorizationMessage: try row.decode("reauthorization_message", as: String?.self),
            updatedAt: try row.decode("updated_at", as: Date?.self),
            refreshHealth: RefreshHealth(
                consecutiveFailures: try row.decode("refresh_failures", as: Int.self),
                nextAttemptAt: try row.decode("next_refresh_at", as: Date?.self),
                lastError: try row.decode("last_refresh_error", as: String?.self),
                failuresToday: try row.decode("refresh_failures_today", as: Int.self),
                failureDay: try row.decode("refresh_failure_day", as: String?.self)
            ),
            lastRefreshedAt: try row.decode("last_refreshed_at", as: Date?.self),
            blockedReason: try row.decode("blocked_reason", as: String?.self),
            blockedAt: try row.decode("blocked_at", as: Date?.self),
            announcements: HealthAnnouncements(
                trouble: try row.decode("trouble_announced", as: String?.self).flatMap(HealthAnnouncements.Trouble.init(rawValue:)),
                troubleAnnouncedAt: try row.decode("trouble_announced_at", as: Date?.self),
                expiryWarnedAt: try row.decode("expiry_warned_at", as: Date?.self),
                refreshTokenRenews: try row.decode("refresh_token_renews", as: Bool?.self)
            )
        )
    }
}

extension AuditEvent {
    static let columns = "e.id, e.company_id, e.occurred_at, e.actor_kind, e.actor_admin_id, e.actor_name, e.action, e.detail"

    init(row: PostgresRow) throws {
        let actor = try AuditActor(
            kind: try row.decode("actor_kind", as: String.self), adminID: try row.decode("actor_admin_id", as: UUID?.self),
            name: try row.decode("actor_name", as: String.self)
        )
        guard let action = AuditAction(rawValue: try row.decode("action", as: String.self)) else {
            throw PostgresError.decodingFailed
        }
        self.init(
            id: AuditEventID(try row.decode("id", as: UUID.self)),
            companyID: CompanyID(try row.decode("company_id", as: UUID.self)),
            actor: actor,
            occurredAt: try row.decode("occurred_at", as: Date.self),
            action: action,
            detail: try row.decode("detail", as: String.self)
        )
    }

    /// Appends the event on a connection that is already in the caller's transaction.
    func insert(on connection: PostgresConnection) throws {
        let (kind, adminID, name) = actor.columns
        try connection.execute("""
            INSERT INTO audit_events (id, company_id, occurred_at, actor_kind, actor_admin_id, actor_name, action, detail)
            VALUES (\(id.rawValue), \(companyID.rawValue), \(occurredAt), \(kind), \(adminID), \(name), \(action.rawValue), \(detail))
            """)
    }
}

extension AuditActor {
    /// `(actor_kind, admin id, name)` as the audit trail stores them.
    var columns: (String, UUID?, String) {
        switch self {
        case .admin(let id, let signInName): return ("admin", id.rawValue, signInName.value)
        case .system(let system): return ("system", nil, system)
        case .operator(let person): return ("operator", nil, person)
        }
    }

    init(kind: String, adminID: UUID?, name: String) throws {
        switch kind {
        case "admin":
            guard let adminID else { throw PostgresError.decodingFailed }
            self = .admin(AdminID(adminID), try SignInName(name))
        case "system": self = .system(name)
        case "operator": self = .operator(name)
        default: throw PostgresError.decodingFailed
        }
    }
}

extension PostgresError {
    /// A unique index refused the row.
    var isUniqueViolation: Bool { sqlState == "23505" }
}

extension LockedConnection {
    /// A row selected with `UPSConnection.columns` and the token columns.
    init(row: PostgresRow) throws {
        let connection = try UPSConnection(row: row)
        var tokens: SealedTokenPair?
        if let keyID = try row.decode("token_key_id", as: String?.self),
           let access = try row.decode("access_token_sealed", as: [UInt8]?.self),
           let refresh = try row.decode("refresh_token_sealed", as: [UInt8]?.self)
        {
            tokens = SealedTokenPair(
                accessToken: SealedSecret(keyID: keyID, ciphertext: access),
                refreshToken: SealedSecret(keyID: keyID, ciphertext: refresh),
                scope: try row.decode("token_scope", as: String?.self)
            )
        }
        self.init(connection: connection, tokens: tokens, generation: try row.decode("token_generation", as: Int64.self))
    }
}
