import Foundation
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Logging
import Synchronization

/// An opt-in flow that records what the web asked and answers as told.
final class RecordingOptInFlow: UPSOptInFlow, Sendable {
    let starts = Mutex<[(CompanyReference, AdminID, SessionBinding)]>([])
    let completions = Mutex<[SessionBinding]>([])
    let failure = Mutex<OptInFailure?>(nil)

    func start(_ company: CompanyReference, by admin: Admin, session: SessionBinding) async throws -> OptInStart {
        starts.withLock { $0.append((company, admin.id, session)) }
        guard case .id(let id) = company else { throw DomainError.companyNotFound(company) }
        let company = Company(id: id, name: try CompanyName("Any"), createdAt: Date())
        return OptInStart(
            requestID: AuthorizationRequestID(), company: company, authorizationURL: URL(string: "https://ups.example/authorize?state=s")!,
            expiresAt: Date())
    }

    func complete(_ callback: OptInCallback, session: SessionBinding) async throws -> OptInCompletion {
        completions.withLock { $0.append(session) }
        if let failure = failure.withLock({ $0 }) { throw failure }
        let company = Company(id: CompanyID(), name: try CompanyName("Any"), createdAt: Date())
        return OptInCompletion(company: company, connection: .notConnected(company.id))
    }
}

/// No company here ever opted in (the flow above is a recording), so a refresh finds nothing
/// to refresh; the real refresher is tested on the engine (IPMOAuthEngineTests).
struct NoTokensToRefresh: UPSTokenRefreshing {
    func refresh(_ company: CompanyID, force: Bool) async -> RefreshOutcome { .notAuthenticated(.notConnected) }
    func refresh(_ company: CompanyID, force: Bool, lock: LockWaitPolicy) async -> RefreshOutcome { .notAuthenticated(.notConnected) }
    func refreshDue(limit: Int) async throws -> [(CompanyID, RefreshOutcome)] { [] }
}

/// The web front on a fresh database: admin alice (admin of Acme), viewer victor (viewer of
/// Acme), and Other Co that neither belongs to. The router is only read once set up.
struct WebHarness: @unchecked Sendable {
    let database: TestDatabase
    let flow = RecordingOptInFlow()
    let acme: Company
    let other: Company
    let router: Router<WebRequestContext>

    static let password = "correct horse battery"

    static func with(_ body: (WebHarness) async throws -> Void) async throws {
        let database = try await TestDatabase.fresh()
        do {
            try await body(try await WebHarness(database: database))
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    private init(database: TestDatabase) async throws {
        self.database = database
        let client = database.client
        let clock = SystemClock()
        let companies = PostgresCompanyRepository(client: client, clock: clock)
        let admins = try PostgresAdminRepository(client: client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        let memberships = PostgresMembershipRepository(client: client, clock: clock)
        let connections = PostgresUPSConnectionRepository(client: client)
        let audit = PostgresAuditEventRepository(client: client)
        let actor = AuditActor.operator("test")
        acme = try await companies.create(try CompanyName("Acme"), by: actor)
        other = try await companies.create(try CompanyName("Other Co"), by: actor)
        let alice = try await admins.create(
            try NewAdmin(signInName: try SignInName("alice"), displayName: "Alice Admin"), password: try Password(Self.password))
        let victor = try await admins.create(try NewAdmin(signInName: try SignInName("victor")), password: try Password(Self.password))
        _ = try await memberships.grant(.admin, to: alice.id, in: acme.id, by: actor)
        _ = try await memberships.grant(.viewer, to: victor.id, in: acme.id, by: actor)
        let sessions = SessionService(
            admins: admins, sessions: PostgresSessionRepository(client: client), throttle: PostgresSignInThrottle(client: client),
            clock: clock, random: SystemRandomSource()
        )
        let router = Router(context: WebRequestContext.self)
        OpenAPIDocument.register(on: router)
        let access = CompanyAccess(companies: companies, memberships: memberships, connections: connections, audit: audit, clock: clock)
        let web = WebFront(
            sessions: sessions,
            apiTokens: APITokenService(
                tokens: PostgresAPITokenRepository(client: client), admins: admins, clock: clock, random: SystemRandomSource()),
            access: access,
            optIn: flow,
            invitations: InvitationService(
                invitations: PostgresInvitationRepository(client: client, hasher: BcryptPasswordHasher(cost: 4)),
                access: access, clock: clock, random: SystemRandomSource(), throttle: PostgresSignInThrottle(client: client)
            ),
            notifications: NotificationService(notifications: PostgresNotificationRepository(client: client), clock: clock),
            forcedRefresh: ForcedRefresh(
                access: access, refresher: NoTokensToRefresh(), throttle: PostgresForcedRefreshThrottle(client: client), audit: audit, clock: clock
            ),
            webhooks: WebhookDeliveries(log: PostgresWebhookOutbox(client: client), access: access, clock: clock),
            settings: WebSettings(publicURL: URL(string: "https://ipm.example")!, supportContact: "Pat <pat@example.com>"),
            logger: Logger(label: "web-test")
        )
        web.register(on: router)
        APIFront(web: web).register(on: router)
        self.router = router
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: router).test(.router, body)
    }
}

/// A browser's cookie jar, reduced to what the tests need.
struct Browser: Sendable {
    var cookies: [String: String] = [:]

    mutating func keep(_ response: TestResponse) {
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    var headers: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    mutating func get(_ client: any TestClientProtocol, _ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        keep(response)
        return response
    }

    mutating func post(_ client: any TestClientProtocol, _ uri: String, _ form: [(String, String)]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        keep(response)
        return response
    }

    /// The CSRF token of the first form on a page.
    static func csrf(in response: TestResponse) -> String? {
        let html = String(buffer: response.body)
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in as `name` and returns the page's CSRF token for session forms.
    mutating func signIn(_ client: any TestClientProtocol, as name: String) async throws -> String {
        let page = try await get(client, "/sign-in")
        let response = try await post(
            client, "/sign-in", [("csrf", Self.csrf(in: page) ?? ""), ("name", name), ("password", WebHarness.password), ("next", "/settings")])
        guard response.status == .seeOther else { throw SignInFailed(status: response.status.code) }
        let settings = try await get(client, "/settings")
        return Self.csrf(in: settings) ?? ""
    }

    struct SignInFailed: Error { let status: Int }
}
