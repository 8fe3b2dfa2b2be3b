import Foundation
import IPMCLI
import IPMDomain
import IPMOAuth
import IPMPostgres
import Logging

/// The admin commands' context on the shared database: sessions through `SessionService`
/// (kind `.cli`), companies through `CompanyAccess`, the opt-in through the OAuth engine
/// (built only when `--paste` needs it, since it needs the UPS settings).
struct DatabaseAdminContext: AdminContext {
    let configuration: IPMConfiguration
    let database: AppDatabase
    let services: DomainServices
    let logger: Logger

    var publicURL: URL { configuration.publicURL }

    private var sessions: SessionService {
        SessionService(
            admins: services.admins, sessions: PostgresSessionRepository(client: database.client),
            throttle: PostgresSignInThrottle(client: database.client), clock: services.clock, random: SystemRandomSource()
        )
    }

    /// A terminal has no client address; failures are throttled per sign-in name.
    func signIn(_ signInName: String, password: Password) async throws -> SignedIn {
        let issued = try await sessions.signIn(signInName, password: password, clientAddress: nil, kind: .cli)
        return SignedIn(token: issued.token, session: issued.session, admin: issued.admin)
    }

    func signOut(_ token: Secret) async throws {
        try await sessions.signOut(token)
    }

    func session(for token: Secret) async throws -> (any SignedInAdmin)? {
        guard let resolved = try await sessions.resolve(token) else { return nil }
        return DatabaseSignedInAdmin(context: self, token: token, session: resolved.session, admin: resolved.admin)
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
    let session: AdminSession
    let admin: Admin

    private var access: CompanyAccess { context.services.companyAccess }

    func reload() async throws -> (any SignedInAdmin)? {
        try await context.session(for: token)
    }

    func companies() async throws -> [CompanyOverview] {
        try await access.overview(for: admin)
    }

    func company(_ reference: CompanyReference, for action: CompanyAction) async throws -> CompanyOverview {
        let (company, role) = try await access.authorize(action, reference, admin)
        return CompanyOverview(company: company, role: role, connection: try await context.services.connections.connection(for: company.id))
    }

    func optOut(_ reference: CompanyReference) async throws -> UPSConnection {
        try await access.optOut(reference, by: admin)
    }

    func activity(_ reference: CompanyReference, limit: Int, before: AuditCursor?) async throws -> [AuditEvent] {
        try await access.activity(reference, for: admin, limit: limit, before: before)
    }

    func startOptIn(_ reference: CompanyReference) async throws -> OptInStart {
        try await context.withOAuth { [admin, session] oauth in
            try await oauth.optIn.start(reference, by: admin, session: session.optInBinding)
        }
    }

    func completeOptIn(_ callback: OptInCallback) async throws -> OptInCompletion {
        try await context.withOAuth { [session] oauth in
            try await oauth.optIn.complete(callback, session: session.optInBinding)
        }
    }
}
