import Foundation
import IPMCLI
import IPMConsole
import IPMDomain
import IPMOAuth
import IPMPostgres
import Logging

/// The admin commands' context on the shared database: sessions through `SessionService`
/// (kind `.cli`), companies through `CompanyAccess`, the opt-in through the OAuth engine
/// (built only when `--paste` needs it, since it needs the UPS settings).
struct DatabaseAdminContext: AdminConsole {
    let configuration: IPMConfiguration
    let database: AppDatabase
    let services: DomainServices
    let logger: Logger

    private var sessions: SessionService {
        SessionService(
            admins: services.admins, sessions: PostgresSessionRepository(client: database.client),
            throttle: PostgresSignInThrottle(client: database.client), clock: services.clock, random: SystemRandomSource()
        )
    }

    /// A terminal has no client address; failures are throttled per sign-in name.
    func signIn(_ signInName: String, password: Password) async throws -> ConsoleSignIn {
        let issued = try await sessions.signIn(signInName, password: password, clientAddress: nil, kind: .cli)
        return ConsoleSignIn(token: issued.token, session: SessionPeriod(issued.session), admin: issued.admin)
    }

    func signOut(_ token: Secret) async throws {
        try await sessions.signOut(token)
    }

    func session(for token: Secret) async throws -> (any SignedInAdmin)? {
        guard let resolved = try await sessions.resolve(token) else { return nil }
        return DatabaseSignedInAdmin(context: self, token: token, adminSession: resolved.session, admin: resolved.admin)
    }

    func shutdown() async {
        await database.close()
    }

    /// Runs `body` with the OAuth engine, and shuts its HTTP client down afterwards.
    func withOAuth<R: Sendable>(_ body: (OAuthComponents) async throws -> R) async throws -> R {
        let oauth = try OAuthComponents.make(configuration, services: services, client: database.client, logger: logger)
        do {
            let result = try await body(oauth)
            await oauth.shutdown()
            return result
        } catch {
            await oauth.shutdown()
            throw error
        }
    }
}

/// One live CLI session's admin, acting through `CompanyAccess`.
struct DatabaseSignedInAdmin: SignedInAdmin {
    let context: DatabaseAdminContext
    let token: Secret
    let adminSession: AdminSession
    let admin: Admin

    var session: SessionPeriod { SessionPeriod(adminSession) }

    private var access: CompanyAccess { context.services.companyAccess }

    var publicURL: URL { context.configuration.publicURL }

    /// Both come from this machine's own settings, not from anything the database holds.
    var browserOrigins: [URL] { [context.configuration.publicURL, context.configuration.upsBaseURL] }

    func reload() async throws -> (any SignedInAdmin)? {
        try await context.session(for: token)
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

    /// One more than asked tells whether there is a next page (at 500, a full page may have one).
    func activity(_ reference: CompanyReference, limit: Int, before: AuditCursor?) async throws -> ActivityPage {
        let fetched = try await access.activity(reference, for: admin, limit: min(limit + 1, 500), before: before)
        let events = Array(fetched.prefix(limit))
        let more = fetched.count > limit || (limit == 500 && fetched.count == 500)
        return ActivityPage(events: events.map(ActivityEntry.init), next: more ? events.last.map(AuditCursor.init(after:)) : nil)
    }

    func notifications(unreadOnly: Bool, limit: Int) async throws -> [NotificationEntry] {
        try await context.services.notifications.list(for: admin, unreadOnly: unreadOnly, limit: limit).map(NotificationEntry.init)
    }

    func markNotificationsRead() async throws -> Int {
        try await context.services.notifications.markAllRead(by: admin)
    }

    func startOptIn(_ reference: CompanyReference) async throws -> StartedOptIn {
        let start = try await context.withOAuth { [admin, adminSession] oauth in
            try await oauth.optIn.start(reference, by: admin, session: adminSession.optInBinding)
        }
        return StartedOptIn(companyName: start.company.name.value, authorizationURL: start.authorizationURL, expiresAt: start.expiresAt)
    }

    func completeOptIn(redirectedURL: URL) async throws {
        _ = try await context.withOAuth { [adminSession] oauth in
            try await oauth.optIn.complete(OptInCallback(redirectedURL: redirectedURL), session: adminSession.optInBinding)
        }
    }
}
