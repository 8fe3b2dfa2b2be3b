import Foundation
public import IPMDomain

public struct PostgresMembershipRepository: MembershipRepository {
    private let client: PostgresClient
    private let clock: any Clock

    public init(client: PostgresClient, clock: any Clock) {
        self.client = client
        self.clock = clock
    }

    public func grant(_ role: Role, to admin: AdminID, in company: CompanyID, by actor: AuditActor) async throws -> Membership {
        let now = clock.now()
        return try await client.withTransaction { connection in
            let names = try connection.query(
                """
                SELECT a.sign_in_name FROM admins a, companies c WHERE a.id = \(admin.rawValue) AND c.id = \(company.rawValue)
                """)
            guard let name = try names.first?.decode("sign_in_name", as: String.self) else {
                throw DomainError.notFound("admin or company", "\(admin) in \(company)")
            }
            let previous = try connection.query(
                """
                SELECT role FROM memberships WHERE company_id = \(company.rawValue) AND admin_id = \(admin.rawValue) FOR UPDATE
                """
            ).first.map { try $0.decode("role", as: String.self) }
            if previous == role.rawValue {
                return Membership(adminID: admin, companyID: company, role: role)
            }
            try connection.execute(
                """
                INSERT INTO memberships (company_id, admin_id, role, granted_at)
                VALUES (\(company.rawValue), \(admin.rawValue), \(role.rawValue), \(now))
                ON CONFLICT (company_id, admin_id) DO UPDATE SET role = EXCLUDED.role, granted_at = EXCLUDED.granted_at
                """)
            let detail =
                previous.map { "\(name)'s role changed from \($0) to \(role.rawValue)." }
                ?? "\(name) added as \(role.rawValue)."
            try AuditEvent(companyID: company, actor: actor, occurredAt: now, action: .membershipGranted, detail: detail)
                .insert(on: connection)
            return Membership(adminID: admin, companyID: company, role: role)
        }
    }

    public func role(of admin: AdminID, in company: CompanyID) async throws -> Role? {
        try await client.query(
            """
            SELECT role FROM memberships WHERE company_id = \(company.rawValue) AND admin_id = \(admin.rawValue)
            """
        ).first.map { try Role(parsing: try $0.decode("role", as: String.self)) }
    }

    public func companies(visibleTo admin: AdminID) async throws -> [CompanyOverview] {
        try await client.query(
            """
            SELECT \(unescaped: Company.columns), m.role, \(unescaped: UPSConnection.columns)
            FROM memberships m
            JOIN companies c ON c.id = m.company_id
            JOIN ups_connections u ON u.company_id = c.id
            WHERE m.admin_id = \(admin.rawValue)
            ORDER BY lower(c.name)
            """
        ).map { row in
            CompanyOverview(
                company: try Company(row: row),
                role: try Role(parsing: try row.decode("role", as: String.self)),
                connection: try UPSConnection(row: row)
            )
        }
    }

    public func members(of company: CompanyID) async throws -> [CompanyMember] {
        try await client.query(
            """
            SELECT \(unescaped: Admin.columns), m.role
            FROM memberships m JOIN admins a ON a.id = m.admin_id
            WHERE m.company_id = \(company.rawValue)
            ORDER BY lower(a.sign_in_name)
            """
        ).map { row in
            CompanyMember(admin: try Admin(row: row), role: try Role(parsing: try row.decode("role", as: String.self)))
        }
    }
}
