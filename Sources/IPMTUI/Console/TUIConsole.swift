public import Foundation
public import IPMDomain

/// What the screens need from the admin console: the database or an `ipm-server`, wired by
/// IPMApp through `AdminConsoleAdapter`. It mirrors IPMConsole's `AdminConsole` (decision 63);
/// `TUIActivityPage`, `TUIActivity` and `TUINotification` restate IPMConsole's `ActivityPage`,
/// `ActivityEntry` and `NotificationEntry` and are to be replaced by them (issue 14).
public protocol TUIConsole: Sendable {
    /// The live session `ipm login` left for this connection, if any.
    func resumeSession() async throws -> (any TUIAdmin)?
    /// Signs in with the same checks, throttling and wording as the web.
    func signIn(_ signInName: String, password: Password) async throws -> any TUIAdmin
    func shutdown() async
}

/// A signed-in admin, under the same rules as the web: a stranger's company is not found, a
/// viewer cannot opt in or out.
public protocol TUIAdmin: Sendable {
    var admin: Admin { get }
    /// `IPM_PUBLIC_URL` (or the `--server` URL): where IPM's start page for an opt-in lives.
    var publicURL: URL { get }
    func companies() async throws -> [CompanyOverview]
    func company(_ id: CompanyID) async throws -> CompanyOverview
    func optOut(_ id: CompanyID) async throws
    /// One page of the company's activity, newest first.
    func activity(_ id: CompanyID, limit: Int, before: AuditCursor?) async throws -> TUIActivityPage
    /// Starts an opt-in bound to this session, for paste mode: the UPS address and until when.
    func startOptIn(_ id: CompanyID) async throws -> (authorizationURL: URL, expiresAt: Date)
    func completeOptIn(redirectedURL: URL) async throws
    func notifications(limit: Int) async throws -> [TUINotification]
    func markNotificationsRead() async throws -> Int
    /// Ends the session when the TUI opened it itself.
    func signOut() async
}

public struct TUIActivityPage: Sendable, Hashable {
    public var events: [TUIActivity]
    public var next: AuditCursor?

    public init(events: [TUIActivity], next: AuditCursor?) {
        self.events = events
        self.next = next
    }
}

public struct TUIActivity: Sendable, Hashable {
    public var occurredAt: Date
    public var action: String
    public var actor: String
    public var detail: String

    public init(occurredAt: Date, action: String, actor: String, detail: String) {
        self.occurredAt = occurredAt
        self.action = action
        self.actor = actor
        self.detail = detail
    }
}

public struct TUINotification: Sendable, Hashable {
    public var companyName: String
    public var message: String
    public var occurredAt: Date
    public var isRead: Bool

    public init(companyName: String, message: String, occurredAt: Date, isRead: Bool) {
        self.companyName = companyName
        self.message = message
        self.occurredAt = occurredAt
        self.isRead = isRead
    }
}

/// A failure as the screens show it: one line, and whether the connection itself was lost
/// (a banner, and the screens keep retrying) or the session ended (back to sign-in).
public struct TUIFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case failed, connectionLost, notSignedIn }
    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
