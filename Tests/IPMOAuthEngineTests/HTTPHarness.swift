import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import IPMOAuth
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import NIOCore
import UPSSandbox

/// The HTTP front on the engine harness, wired as `ipm-server` wires it: the web pages, the
/// JSON API, the token API and the UPS proxy on the real engine, the running sandbox and
/// PostgreSQL, driven through Hummingbird's router test client. Its logs go to the
/// engine's `LogCapture`.
struct HTTPHarness: @unchecked Sendable {
    let engine: EngineHarness
    let credentials: ServiceCredentials
    let sessions: SessionService
    let apiTokens: APITokenService
    let router: Router<WebRequestContext>

    /// The proxy's limits here: 2 s for UPS to answer, 64 KiB bodies either way.
    static let proxyTimeout = Duration.seconds(2)
    /// Seconds between forced refreshes of a company ("Refresh now"), as `ipm-server`'s default.
    static let forcedRefreshInterval: TimeInterval = 30

    static func run(
        pkce: Bool = true, sandbox: SandboxConfiguration = EngineHarness.sandboxConfiguration(), _ body: (HTTPHarness) async throws -> Void
    ) async throws {
        try await EngineHarness.run(pkce: pkce, sandbox: sandbox) { engine in
            try await body(try make(engine))
        }
    }

    private static func make(_ engine: EngineHarness) throws -> HTTPHarness {
        let proxyTimeout = Self.proxyTimeout
        let forcedRefreshInterval = Self.forcedRefreshInterval
        let client = engine.database.client
        let clock = engine.clock
        let logger = engine.logs.logger(label: "http")
        let sessions = SessionService(
            admins: engine.services.admins, sessions: PostgresSessionRepository(client: client), throttle: PostgresSignInThrottle(client: client),
            clock: clock, random: SystemRandomSource()
        )
        let apiTokens = APITokenService(
            tokens: PostgresAPITokenRepository(client: client), admins: engine.services.admins, clock: clock, random: SystemRandomSource())
        let access = CompanyAccess(
            companies: engine.services.companies, memberships: engine.services.memberships, connections: engine.connections, audit: engine.audit,
            clock: clock,
            requests: PostgresAuthorizationRequestRepository(client: client)
        )
        let web = WebFront(
            sessions: sessions, apiTokens: apiTokens, access: access, optIn: engine.optIn,
            invitations: InvitationService(
                invitations: PostgresInvitationRepository(client: client, hasher: BcryptPasswordHasher(cost: 4)), access: access, clock: clock,
                random: SystemRandomSource(),
                throttle: PostgresSignInThrottle(client: client)
            ),
            notifications: NotificationService(notifications: PostgresNotificationRepository(client: client), clock: clock),
            forcedRefresh: ForcedRefresh(
                access: access, refresher: engine.refresher, throttle: PostgresForcedRefreshThrottle(client: client), audit: engine.audit,
                clock: clock,
                interval: forcedRefreshInterval
            ),
            webhooks: WebhookDeliveries(log: PostgresWebhookOutbox(client: client), access: access, clock: clock),
            settings: WebSettings(publicURL: URL(string: "http://127.0.0.1:8080")!), logger: logger
        )
        let credentials = ServiceCredentials(
            repository: PostgresServiceCredentialRepository(client: client), clock: clock, random: SystemRandomSource())
        let forwarder = UPSResourceForwarder(
            configuration: engine.provider().configuration, httpClient: engine.httpClient, timeout: proxyTimeout, maxResponseBytes: 64 * 1024)
        let upsAccess = UPSAccessAPI(
            credentials: credentials, tokens: UPSAccessTokens(refresher: engine.refresher), forwarding: forwarder, clock: clock, logger: logger,
            maxProxyBodyBytes: 64 * 1024
        )
        let router = Router(context: WebRequestContext.self)
        web.register(on: router)
        APIFront(web: web, upsAccess: upsAccess).register(on: router)
        return HTTPHarness(engine: engine, credentials: credentials, sessions: sessions, apiTokens: apiTokens, router: router)
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: router).test(.router, body)
    }

    /// A new service token with these scopes, as `ipm service-token create` makes it.
    func serviceToken(_ scopes: Set<ServiceScope>, name: String = "svc-\(UInt16.random(in: 0 ... .max))") async throws -> String {
        try await credentials.create(name: name, scopes: scopes, by: "test").1.value
    }

    var companyID: String { engine.company.id.description }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// A signed-in browser's cookie (a session made the way the sign-in page makes one).
    func browserCookie(_ name: String = "alice") async throws -> HTTPFields {
        let issued = try await sessions.signIn(name, password: try Password("correct horse battery"), clientAddress: nil, kind: .web)
        return [.cookie: "ipm_session=\(issued.token.value)"]
    }

    /// `GET /api/v1/companies/{id}/ups/access-token` with `token`.
    static func accessToken(_ client: any TestClientProtocol, company: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/companies/\(company)/ups/access-token", method: .get, headers: bearer(token), body: nil)
    }
}

/// The token API's JSON answer.
struct AccessTokenAnswer: Decodable {
    let access_token: String
    let token_type: String
    let expires_at: String
    let expires_in: Int

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(response.body.readableBytesView))
    }
}

extension HTTPHarness {
    /// The routes the OpenAPI document lists under `/ups/` and those the router serves there.
    func upsRoutes() throws -> (documented: Set<String>, served: Set<String>) {
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as? [String: Any]
        let paths = document?["paths"] as? [String: [String: Any]] ?? [:]
        var documented = Set<String>()
        for (path, operations) in paths where path.contains("/ups/") {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Set(
            router.routes.map { "\($0.method) \($0.path)" }.filter { $0.contains(" /api/") && $0.contains("/ups/") }.map {
                $0.replacingOccurrences(of: ":id", with: "{id}").replacingOccurrences(of: "**", with: "{path}")
            })
        return (documented, served)
    }
}
