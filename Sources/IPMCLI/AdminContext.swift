public import Foundation
public import IPMDomain

/// Where the admin commands do their work: the shared database directly, or an
/// `ipm-server` through its JSON API. The composition root builds the context for it.
public enum AdminConnection: Sendable, Equatable {
    case database
    /// `--server URL` or `IPM_SERVER`.
    case server(URL)
}

/// What the admin commands (`ipm login`, `ipm companies`, `ipm oauth …`) need. `IPMApp`
/// implements it on the database and on the JSON API; the commands and their output are the
/// same either way. The CLI never sees a database or HTTP type.
public protocol AdminContext: Sendable {
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
    /// The only origins (scheme, host, port) the CLI opens in a browser: the `--server` URL
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
    /// Starts an opt-in bound to this CLI session (`--paste`).
    func startOptIn(_ reference: CompanyReference) async throws -> StartedOptIn
    /// Completes an opt-in this session started, from the address UPS redirected the browser to.
    func completeOptIn(redirectedURL: URL) async throws
    /// The admin's notifications, newest first (`limit` 1–500).
    func notifications(unreadOnly: Bool, limit: Int) async throws -> [NotificationEntry]
    /// Marks every notification read; how many were unread.
    func markNotificationsRead() async throws -> Int
}

/// An opt-in started for `--paste`: where the UPS.com user signs in, and until when.
public struct StartedOptIn: Sendable {
    public let companyName: String
    public let authorizationURL: URL
    public let expiresAt: Date

    public init(companyName: String, authorizationURL: URL, expiresAt: Date) {
        self.companyName = companyName
        self.authorizationURL = authorizationURL
        self.expiresAt = expiresAt
    }
}

/// A page of activity and where the next (older) one starts, `nil` on the last page.
public struct ActivityPage: Sendable {
    public let events: [ActivityEntry]
    public let next: AuditCursor?

    public init(events: [ActivityEntry], next: AuditCursor?) {
        self.events = events
        self.next = next
    }
}

/// One line of activity as the CLI shows it: the actor already in words.
public struct ActivityEntry: Sendable, Hashable {
    public let id: AuditEventID
    public let occurredAt: Date
    public let action: AuditAction
    public let actor: String
    public let detail: String

    public init(id: AuditEventID, occurredAt: Date, action: AuditAction, actor: String, detail: String) {
        self.id = id
        self.occurredAt = occurredAt
        self.action = action
        self.actor = actor
        self.detail = detail
    }

    public init(_ event: AuditEvent) {
        self.init(id: event.id, occurredAt: event.occurredAt, action: event.action, actor: event.actor.description, detail: event.detail)
    }
}

/// One notification as the CLI shows it.
public struct NotificationEntry: Sendable, Hashable {
    public let id: AuditEventID
    public let companyID: CompanyID
    public let companyName: String
    public let kind: CompanyNotification.Kind
    public let message: String
    public let occurredAt: Date
    public let isRead: Bool

    public init(id: AuditEventID, companyID: CompanyID, companyName: String, kind: CompanyNotification.Kind, message: String, occurredAt: Date, isRead: Bool) {
        self.id = id
        self.companyID = companyID
        self.companyName = companyName
        self.kind = kind
        self.message = message
        self.occurredAt = occurredAt
        self.isRead = isRead
    }

    public init(_ notification: CompanyNotification) {
        self.init(
            id: notification.id, companyID: notification.company.id, companyName: notification.company.name.value,
            kind: notification.kind, message: notification.message, occurredAt: notification.occurredAt, isRead: notification.isRead
        )
    }
}

/// A failure a context reports as one line, with the exit status `ipm help` lists for it.
public struct AdminFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    let exitCode: Int32

    private init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }

    /// Exit 1.
    public static func failed(_ line: String) -> AdminFailure { AdminFailure(line, exitCode: ExitStatus.failure) }
    /// No live session (exit 77), as `ipm whoami` says it.
    public static var notSignedIn: AdminFailure { AdminFailure(CLIError.notSignedIn.description, exitCode: ExitStatus.notSignedIn) }
    /// The server could not be reached or answered unusably; try again later (exit 75).
    public static func unavailable(_ line: String) -> AdminFailure { AdminFailure(line, exitCode: ExitStatus.temporaryFailure) }
}
