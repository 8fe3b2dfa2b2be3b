public import Foundation
public import IPMConsole
public import IPMDomain

/// What the screens need from the admin console: the database or an `ipm-server`, wired by
/// IPMApp through `AdminConsoleAdapter`. It is the slice of IPMConsole's `AdminConsole` the
/// screens use, in IPMConsole's own value types, with failures already sorted into what the
/// screens do about them (`TUIFailure`): the seam the screen model's tests fake (decision 63).
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
    func activity(_ id: CompanyID, limit: Int, before: AuditCursor?) async throws -> ActivityPage
    /// Starts an opt-in bound to this session, for paste mode: the UPS address and until when.
    func startOptIn(_ id: CompanyID) async throws -> (authorizationURL: URL, expiresAt: Date)
    func completeOptIn(redirectedURL: URL) async throws
    func notifications(limit: Int) async throws -> [NotificationEntry]
    func markNotificationsRead() async throws -> Int
    /// Ends the session when the TUI opened it itself.
    func signOut() async
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
