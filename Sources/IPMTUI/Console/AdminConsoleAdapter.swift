import Foundation
public import IPMConsole
public import IPMDomain

/// The screens' console over IPMConsole's `AdminConsole` (the database or an `ipm-server`):
/// the same rules and words as `ipm`, the session of `ipm login` from its `CredentialStore`.
public struct AdminConsoleAdapter: TUIConsole {
    let console: any AdminConsole
    let connection: AdminConnection
    /// Recognises a lost connection in errors the console does not classify itself (a
    /// database error on the database, say); IPMApp knows those types, the TUI does not.
    let isConnectionLost: @Sendable (any Error) -> Bool

    public init(console: any AdminConsole, connection: AdminConnection, isConnectionLost: @escaping @Sendable (any Error) -> Bool = { _ in false }) {
        self.console = console
        self.connection = connection
        self.isConnectionLost = isConnectionLost
    }

    public func resumeSession() async throws -> (any TUIAdmin)? {
        guard let token = try? CredentialStore.standard(for: connection).load() else { return nil }
        guard let admin = try await classified({ try await console.session(for: token) }) else { return nil }
        return SignedInConsoleAdmin(base: admin, console: console, token: token, ownsSession: false, isConnectionLost: isConnectionLost)
    }

    public func signIn(_ signInName: String, password: Password) async throws -> any TUIAdmin {
        let signedIn = try await classified { try await console.signIn(signInName, password: password) }
        guard let admin = try await classified({ try await console.session(for: signedIn.token) }) else {
            throw TUIFailure(.failed, "the new session ended at once; try again")
        }
        return SignedInConsoleAdmin(base: admin, console: console, token: signedIn.token, ownsSession: true, isConnectionLost: isConnectionLost)
    }

    public func shutdown() async {
        await console.shutdown()
    }

    private func classified<T>(_ body: () async throws -> T) async throws -> T {
        try await IPMTUI.classified(isConnectionLost, body)
    }
}

/// One signed-in admin, through IPMConsole's `SignedInAdmin`.
struct SignedInConsoleAdmin: TUIAdmin {
    let base: any SignedInAdmin
    let console: any AdminConsole
    let token: Secret
    let ownsSession: Bool
    let isConnectionLost: @Sendable (any Error) -> Bool

    var admin: Admin { base.admin }
    var publicURL: URL { base.publicURL }

    func companies() async throws -> [CompanyOverview] {
        try await classified { try await base.companies() }
    }

    func company(_ id: CompanyID) async throws -> CompanyOverview {
        try await classified { try await base.company(.id(id), for: .view) }
    }

    func optOut(_ id: CompanyID) async throws {
        _ = try await classified { try await base.optOut(.id(id)) }
    }

    func activity(_ id: CompanyID, limit: Int, before: AuditCursor?) async throws -> ActivityPage {
        try await classified { try await base.activity(.id(id), limit: limit, before: before) }
    }

    func startOptIn(_ id: CompanyID) async throws -> (authorizationURL: URL, expiresAt: Date) {
        let started = try await classified { try await base.startOptIn(.id(id)) }
        return (started.authorizationURL, started.expiresAt)
    }

    func completeOptIn(redirectedURL: URL) async throws {
        try await classified { try await base.completeOptIn(redirectedURL: redirectedURL) }
    }

    func notifications(limit: Int) async throws -> [NotificationEntry] {
        try await classified { try await base.notifications(unreadOnly: false, limit: limit) }
    }

    func markNotificationsRead() async throws -> Int {
        try await classified { try await base.markNotificationsRead() }
    }

    func signOut() async {
        if ownsSession { try? await console.signOut(token) }
    }

    private func classified<T>(_ body: () async throws -> T) async throws -> T {
        try await IPMTUI.classified(isConnectionLost, body)
    }
}

/// Runs `body`; an unreachable database or server becomes `connectionLost` (a banner, retried
/// by the polls), an ended session `notSignedIn`; anything else keeps its one-line words.
func classified<T>(_ isConnectionLost: @Sendable (any Error) -> Bool, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as ConsoleFailure {
        switch failure.kind {
        case .unavailable: throw TUIFailure(.connectionLost, failure.description)
        case .notSignedIn: throw TUIFailure(.notSignedIn, "the session ended; sign in again")
        case .failed: throw TUIFailure(.failed, failure.description)
        }
    } catch let failure as TUIFailure {
        throw failure
    } catch {
        if isConnectionLost(error) { throw TUIFailure(.connectionLost, "the database is not reachable") }
        throw TUIFailure(.failed, String(describing: error))
    }
}
