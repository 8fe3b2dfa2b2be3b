import Foundation
public import IPMDomain

/// Admins on PostgreSQL. The password hash is written and compared here and never returned.
public struct PostgresAdminRepository: AdminRepository {
    private let client: PostgresClient
    private let hasher: any PasswordHasher
    private let clock: any Clock
    /// Checked when the sign-in name is unknown, so the answer takes as long either way.
    private let decoyHash: String

    public init(client: PostgresClient, hasher: any PasswordHasher, clock: any Clock) throws {
        self.client = client
        self.hasher = hasher
        self.clock = clock
        self.decoyHash = try hasher.hash(Password(unchecked: "decoy password for unknown names"))
    }

    public func create(_ admin: NewAdmin, password: Password) async throws -> Admin {
        let now = clock.now()
        let created = Admin(signInName: admin.signInName, displayName: admin.displayName, email: admin.email, createdAt: now)
        let hash = try hasher.hash(password)
        do {
            try await client.execute("""
                INSERT INTO admins (id, sign_in_name, display_name, email, password_hash, disabled, created_at, updated_at)
                VALUES (\(created.id.rawValue), \(created.signInName.value), \(created.displayName), \(created.email?.value),
                        \(hash), false, \(now), \(now))
                """)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw DomainError.alreadyExists("admin", admin.signInName.value)
        }
        return created
    }

    public func find(_ signInName: SignInName) async throws -> Admin? {
        try await client.query("SELECT \(unescaped: Admin.columns) FROM admins a WHERE lower(a.sign_in_name) = lower(\(signInName.value))")
            .first.map { try Admin(row: $0) }
    }

    public func find(id: AdminID) async throws -> Admin? {
        try await client.query("SELECT \(unescaped: Admin.columns) FROM admins a WHERE a.id = \(id.rawValue)")
            .first.map { try Admin(row: $0) }
    }

    public func list() async throws -> [Admin] {
        try await client.query("SELECT \(unescaped: Admin.columns) FROM admins a ORDER BY lower(a.sign_in_name)")
            .map { try Admin(row: $0) }
    }

    public func setPassword(_ id: AdminID, to password: Password) async throws {
        let hash = try hasher.hash(password)
        let updated = try await client.execute("""
            UPDATE admins SET password_hash = \(hash), updated_at = \(clock.now()) WHERE id = \(id.rawValue)
            """)
        if updated == 0 { throw DomainError.notFound("admin", id.description) }
    }

    public func setDisabled(_ id: AdminID, _ disabled: Bool) async throws {
        let updated = try await client.execute("""
            UPDATE admins SET disabled = \(disabled), updated_at = \(clock.now()) WHERE id = \(id.rawValue)
            """)
        if updated == 0 { throw DomainError.notFound("admin", id.description) }
    }

    public func verifyCredentials(_ signInName: SignInName, password: Password) async throws -> Admin? {
        let rows = try await client.query("""
            SELECT \(unescaped: Admin.columns), a.password_hash FROM admins a WHERE lower(a.sign_in_name) = lower(\(signInName.value))
            """)
        guard let row = rows.first else {
            _ = hasher.verify(password, against: decoyHash)
            return nil
        }
        let hash = try row.decode("password_hash", as: String.self)
        return hasher.verify(password, against: hash) ? try Admin(row: row) : nil
    }
}
