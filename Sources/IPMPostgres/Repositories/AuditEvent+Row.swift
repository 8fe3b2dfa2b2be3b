import Foundation
import IPMDomain

// Row ↔ domain mapping. Values stored by the application were validated on the way in;
// a row that no longer validates is a corrupt database.

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
        try connection.execute(
            """
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
