public import Foundation
public import IPMDomain

/// What an admin can do from a console front (the CLI's admin commands, the TUI): sign in and
/// out, and act through a live session. Two implementations: `DomainAdminConsole` over the
/// domain services (the shared database), and the JSON-API client (`IPMAPIClient`) over an
/// `ipm-server`. The fronts see neither a database nor an HTTP type.
public protocol AdminConsole: Sendable {
    /// Checks the credentials and opens a CLI session.
    func signIn(_ signInName: String, password: Password) async throws -> ConsoleSignIn
    func signOut(_ token: Secret) async throws
    /// The live session of `token`, or `nil` (unknown, expired, signed out, or the admin disabled).
    func session(for token: Secret) async throws -> (any SignedInAdmin)?
    /// Releases what the console holds.
    func shutdown() async
}

/// A new console session: the token the front keeps, and whom it belongs to.
public struct ConsoleSignIn: Sendable {
    public let token: Secret
    public let session: SessionPeriod
    public let admin: Admin

    public init(token: Secret, session: SessionPeriod, admin: Admin) {
        self.token = token
        self.session = session
        self.admin = admin
    }
}

/// When a session began and when it ends at the latest.
public struct SessionPeriod: Sendable, Hashable {
    public let createdAt: Date
    public let expiresAt: Date

    public init(createdAt: Date, expiresAt: Date) {
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public init(_ session: AdminSession) {
        self.init(createdAt: session.createdAt, expiresAt: session.expiresAt)
    }
}

/// An admin acting through a live session, under the same rules as the web (`CompanyAccess`):
/// a company they do not belong to is not found; a viewer cannot opt in or out.
public protocol SignedInAdmin: Sendable {
    var admin: Admin { get }
    var session: SessionPeriod { get }
    /// `IPM_PUBLIC_URL`: where people reach IPM's web pages (a terminal's opt-in sends the browser there).
    var publicURL: URL { get }
    /// The only origins (scheme, host, port) a console opens in a browser: the `--server` URL
    /// through a server; IPM_PUBLIC_URL and IPM_UPS_BASE_URL on the database.
    var browserOrigins: [URL] { get }
    /// The same session read again, or `nil` once it has ended (long waits check this, so a
    /// disabled admin stops at once).
    func reload() async throws -> (any SignedInAdmin)?
    func companies() async throws -> [CompanyOverview]
    /// The company when the admin's role allows `action` on it.
    func company(_ reference: CompanyReference, for action: CompanyAction) async throws -> CompanyOverview
    func optOut(_ reference: CompanyReference) async throws -> UPSConnection
    /// One page of the company's activity, newest first (`limit` 1–500).
    func activity(_ reference: CompanyReference, limit: Int, before: AuditCursor?) async throws -> ActivityPage
    /// Starts an opt-in bound to this session (`--paste`).
    func startOptIn(_ reference: CompanyReference) async throws -> StartedOptIn
    /// Completes an opt-in this session started, from the address UPS redirected the browser to.
    func completeOptIn(redirectedURL: URL) async throws
    /// The admin's notifications, newest first (`limit` 1–500).
    func notifications(unreadOnly: Bool, limit: Int) async throws -> [NotificationEntry]
    /// Marks every notification read; how many were unread.
    func markNotificationsRead() async throws -> Int
}
