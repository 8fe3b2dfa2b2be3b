public import Foundation
public import IPMDomain

/// The admin console over the domain services on the shared database: sessions through
/// `SessionService` (kind `.cli`), companies and activity through `CompanyAccess`,
/// notifications through `NotificationService`, the opt-in through the `UPSOptInFlow` port
/// (opened only when `--paste` needs it, since it needs the UPS settings). The composition
/// root builds it; nothing here knows a database or the OAuth engine.
public struct DomainAdminConsole: AdminConsole {
    /// An opened opt-in flow, and what releases it (the engine's HTTP client).
    public typealias OpenedOptInFlow = (flow: any UPSOptInFlow, close: @Sendable () async -> Void)

    let sessions: SessionService
    let access: CompanyAccess
    let notifications: NotificationService
    let publicURL: URL
    let browserOrigins: [URL]
    let openOptInFlow: @Sendable () throws -> OpenedOptInFlow
    let close: @Sendable () async -> Void

    /// `browserOrigins`: the only origins a console opens in a browser, from this machine's
    /// own settings (IPM_PUBLIC_URL and IPM_UPS_BASE_URL), never from what the database holds.
    public init(
        sessions: SessionService, access: CompanyAccess, notifications: NotificationService, publicURL: URL, browserOrigins: [URL],
        openOptInFlow: @escaping @Sendable () throws -> OpenedOptInFlow, close: @escaping @Sendable () async -> Void
    ) {
        self.sessions = sessions
        self.access = access
        self.notifications = notifications
        self.publicURL = publicURL
        self.browserOrigins = browserOrigins
        self.openOptInFlow = openOptInFlow
        self.close = close
    }

    /// A terminal has no client address; failures are throttled per sign-in name.
    public func signIn(_ signInName: String, password: Password) async throws -> ConsoleSignIn {
        let issued = try await sessions.signIn(signInName, password: password, clientAddress: nil, kind: .cli)
        return ConsoleSignIn(token: issued.token, session: SessionPeriod(issued.session), admin: issued.admin)
    }

    public func signOut(_ token: Secret) async throws {
        try await sessions.signOut(token)
    }

    public func session(for token: Secret) async throws -> (any SignedInAdmin)? {
        guard let resolved = try await sessions.resolve(token) else { return nil }
        return DomainSignedInAdmin(console: self, token: token, adminSession: resolved.session, admin: resolved.admin)
    }

    public func shutdown() async {
        await close()
    }

    /// Runs `body` with the opt-in flow, and releases it afterwards.
    func withOptInFlow<R: Sendable>(_ body: (any UPSOptInFlow) async throws -> R) async throws -> R {
        let opened = try openOptInFlow()
        do {
            let result = try await body(opened.flow)
            await opened.close()
            return result
        } catch {
            await opened.close()
            throw error
        }
    }
}

/// One live session's admin, acting through `CompanyAccess`.
struct DomainSignedInAdmin: SignedInAdmin {
    let console: DomainAdminConsole
    let token: Secret
    let adminSession: AdminSession
    let admin: Admin

    var session: SessionPeriod { SessionPeriod(adminSession) }
    var publicURL: URL { console.publicURL }
    var browserOrigins: [URL] { console.browserOrigins }
    private var access: CompanyAccess { console.access }

    func reload() async throws -> (any SignedInAdmin)? {
        try await console.session(for: token)
    }

    func companies() async throws -> [CompanyOverview] {
        try await access.overview(for: admin)
    }

    func company(_ reference: CompanyReference, for action: CompanyAction) async throws -> CompanyOverview {
        try await access.company(reference, for: admin, action: action)
    }

    func optOut(_ reference: CompanyReference) async throws -> UPSConnection {
        try await access.optOut(reference, by: admin)
    }

    func activity(_ reference: CompanyReference, limit: Int, before: AuditCursor?) async throws -> ActivityPage {
        let page = try await access.activity(reference, for: admin, limit: limit, before: before)
        return ActivityPage(events: page.events.map(ActivityEntry.init), next: page.next)
    }

    func notifications(unreadOnly: Bool, limit: Int) async throws -> [NotificationEntry] {
        try await console.notifications.list(for: admin, unreadOnly: unreadOnly, limit: limit).map(NotificationEntry.init)
    }

    func markNotificationsRead() async throws -> Int {
        try await console.notifications.markAllRead(by: admin)
    }

    func startOptIn(_ reference: CompanyReference) async throws -> StartedOptIn {
        let start = try await console.withOptInFlow { [admin, adminSession] flow in
            try await flow.start(reference, by: admin, session: adminSession.optInBinding)
        }
        return StartedOptIn(companyName: start.company.name.value, authorizationURL: start.authorizationURL, expiresAt: start.expiresAt)
    }

    func completeOptIn(redirectedURL: URL) async throws {
        _ = try await console.withOptInFlow { [adminSession] flow in
            try await flow.complete(OptInCallback(redirectedURL: redirectedURL), session: adminSession.optInBinding)
        }
    }
}
