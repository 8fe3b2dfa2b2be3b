import Foundation
public import IPMDomain
import Synchronization

/// Admins on PostgreSQL. The password hash is written and compared here and never returned.
public struct PostgresAdminRepository: AdminRepository {
    private let client: PostgresClient
    private let hasher: any PasswordHasher
    private let clock: any Clock
    /// Checked when the sign-in name is unknown, so the answer takes as long either way. Made
    /// on the first such sign-in, not at start-up: most commands never check a password.
    private let decoy: DecoyHash

    public init(client: PostgresClient, hasher: any PasswordHasher, clock: any Clock) throws {
        self.client = client
        self.hasher = hasher
        self.clock = clock
        self.decoy = DecoyHash(hasher: hasher)
    }

    public func create(_ admin: NewAdmin, password: Password) async throws -> Admin {
        let now = clock.now()
        let created = Admin(signInName: admin.signInName, displayName: admin.displayName, email: admin.email, createdAt: now)
        let hash = try await hasher.hash(password)
        do {
            try await client.execute(
                """
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
        let hash = try await hasher.hash(password)
        let now = clock.now()
        try await client.withTransaction { connection in
            let updated = try connection.execute(
                """
                UPDATE admins SET password_hash = \(hash), updated_at = \(now) WHERE id = \(id.rawValue)
                """)
            if updated == 0 { throw DomainError.notFound("admin", id.description) }
            try Self.revokeCredentials(of: id, at: now, on: connection)
        }
    }

    public func setDisabled(_ id: AdminID, _ disabled: Bool) async throws {
        let now = clock.now()
        try await client.withTransaction { connection in
            let updated = try connection.execute(
                """
                UPDATE admins SET disabled = \(disabled), updated_at = \(now) WHERE id = \(id.rawValue)
                """)
            if updated == 0 { throw DomainError.notFound("admin", id.description) }
            if disabled { try Self.revokeCredentials(of: id, at: now, on: connection) }
        }
    }

    /// Every session (web and CLI) and personal API token of the admin ends for good.
    private static func revokeCredentials(of id: AdminID, at now: Date, on connection: PostgresConnection) throws {
        try connection.execute("UPDATE admin_sessions SET revoked_at = \(now) WHERE admin_id = \(id.rawValue) AND revoked_at IS NULL")
        try connection.execute("UPDATE api_tokens SET revoked_at = \(now) WHERE admin_id = \(id.rawValue) AND revoked_at IS NULL")
    }

    public func verifyCredentials(_ signInName: SignInName, password: Password) async throws -> Admin? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Admin.columns), a.password_hash FROM admins a WHERE lower(a.sign_in_name) = lower(\(signInName.value))
            """)
        guard let row = rows.first else {
            _ = try await hasher.verify(password, against: try await decoy.value)
            return nil
        }
        let hash = try row.decode("password_hash", as: String.self)
        return try await hasher.verify(password, against: hash) ? try Admin(row: row) : nil
    }
}

/// A hash of a fixed password at the hasher's cost, made once, on first use.
final class DecoyHash: Sendable {
    private let hasher: any PasswordHasher
    private let made = Mutex<Task<String, any Error>?>(nil)

    init(hasher: any PasswordHasher) {
        self.hasher = hasher
    }

    var value: String {
        get async throws {
            let task = made.withLock { made in
                if let made { return made }
                let task = Task { [hasher] in try await hasher.hash(Password(unchecked: "decoy password for unknown names")) }
                made = task
                return task
            }
            do {
                return try await task.value
            } catch {
                // Not kept: the next sign-in tries again.
                made.withLock { if $0 == task { $0 = nil } }
                throw error
            }
        }
    }
}
