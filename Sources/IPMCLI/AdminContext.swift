public import Foundation
public import IPMDomain

/// Where the admin commands do their work: the shared database directly, or (once the JSON
/// API exists) an `ipm-server`. The composition root builds the context for it.
public enum AdminConnection: Sendable, Equatable {
    case database
    /// `--server URL` or `IPM_SERVER`.
    case server(URL)
}

/// What the admin commands (`ipm login`, `ipm companies`, `ipm oauth …`) need. `IPMApp`
/// implements it on the database; a server-backed implementation would speak the JSON API.
/// The CLI never sees a database type.
public protocol AdminContext: Sendable {
    /// `IPM_PUBLIC_URL`: where people reach IPM's web pages.
    var publicURL: URL { get }
    /// Checks the credentials and opens a CLI session.
    func signIn(_ signInName: String, password: Password) async throws -> SignedIn
    func signOut(_ token: Secret) async throws
    /// The live session of `token`, or `nil` (unknown, expired, signed out, or the admin disabled).
    func session(for token: Secret) async throws -> (any SignedInAdmin)?
    /// Releases what the context holds.
    func shutdown() async
}

/// A new CLI session: the token the CLI keeps, and whom it belongs to.
public struct SignedIn: Sendable {
    public let token: Secret
    public let session: AdminSession
    public let admin: Admin

    public init(token: Secret, session: AdminSession, admin: Admin) {
        self.token = token
        self.session = session
        self.admin = admin
    }
}

/// An admin acting through a live session, under the same rules as the web (`CompanyAccess`):
/// a company they do not belong to is not found; a viewer cannot opt in or out.
public protocol SignedInAdmin: Sendable {
    var admin: Admin { get }
    var session: AdminSession { get }
    /// The same session read again, or `nil` once it has ended (long waits check this, so a
    /// disabled admin stops at once).
    func reload() async throws -> (any SignedInAdmin)?
    func companies() async throws -> [CompanyOverview]
    /// The company when the admin's role allows `action` on it.
    func company(_ reference: CompanyReference, for action: CompanyAction) async throws -> CompanyOverview
    func optOut(_ reference: CompanyReference) async throws -> UPSConnection
    func activity(_ reference: CompanyReference, limit: Int, before: AuditCursor?) async throws -> [AuditEvent]
    /// Starts an opt-in bound to this CLI session (`--paste`).
    func startOptIn(_ reference: CompanyReference) async throws -> OptInStart
    /// Completes an opt-in this session started, from the address UPS redirected to.
    func completeOptIn(_ callback: OptInCallback) async throws -> OptInCompletion
}
