import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import UPSSandbox

/// The engine wired as the composition root wires it — real PostgreSQL, the real UPS
/// provider over real sockets, the running sandbox — plus a clock the test can move and
/// every log line kept.
struct EngineHarness: Sendable {
    static let redirectURI = "http://127.0.0.1:9/oauth/ups/callback"
    static let clientID = "engine-test-client"
    static let clientSecret = "engine-test-secret-\(UInt32.random(in: 0 ... .max))"
    static let upsUser = "shipper"
    static let upsPassword = "Shipper-Pass-1"
    /// IPM_PUBLIC_URL as the connection repository knows it (webhook events' opt-in links).
    static let publicURL = URL(string: "https://ipm.example.com")!

    let database: HarnessDatabase
    let sandbox: Sandbox
    let sandboxURL: URL
    let keyRing: AESGCMKeyRing
    let clock: MovableClock
    let logs: LogCapture
    let browser: UPSSignInDriver
    let optIn: UPSOptInEngine
    let refresher: UPSTokenRefresher
    let connections: PostgresUPSConnectionRepository
    let audit: PostgresAuditEventRepository
    let admin: Admin
    let company: Company
    let services: Services
    let httpClient: HTTPClient
    /// Whether the opt-in sends a PKCE challenge and redeems the code with `client_id` +
    /// `code_verifier` (no Basic), as with `IPM_UPS_PKCE=true`.
    let pkce: Bool

    struct Services: Sendable {
        let companies: PostgresCompanyRepository
        let admins: PostgresAdminRepository
        let memberships: PostgresMembershipRepository
    }

    /// UPS's former four-hour access tokens: the engine tests' clock arithmetic is written for
    /// them (`StrictUPSContractTests` runs the engine on the sandbox's defaults, UPS's current 3599 s).
    static let fourHourLifetimes = Lifetimes(accessTokenSeconds: 14399)

    static func sandboxConfiguration(lifetimes: Lifetimes = fourHourLifetimes) -> SandboxConfiguration {
        SandboxConfiguration(
            host: "127.0.0.1", port: 0,
            clients: [RegisteredClient(clientID: clientID, clientSecret: clientSecret, redirectURIs: [redirectURI], appName: "IPM Engine Tests")],
            users: [UPSUser(username: upsUser, email: "shipper@example.com", password: upsPassword)],
            lifetimes: lifetimes
        )
    }

    /// Runs `body` with everything up, and takes it all down afterwards.
    static func run(
        keys: String = "k1:" + Data(repeating: 7, count: 32).base64EncodedString(),
        clientSecret: String = EngineHarness.clientSecret,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(50)),
        pkce: Bool = true, sandbox configuration: SandboxConfiguration = sandboxConfiguration(),
        _ body: (EngineHarness) async throws -> Void
    ) async throws {
        let database = try await TestDatabase.fresh()
        do {
            try await run(
                on: HarnessDatabase(client: database.client, connectionString: database.connectionString), keys: keys, clientSecret: clientSecret,
                retry: retry, pkce: pkce, sandbox: configuration, body
            )
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    /// The same, on a migrated database the caller owns (e.g. one it restarts).
    static func run(
        on database: HarnessDatabase,
        keys: String = "k1:" + Data(repeating: 7, count: 32).base64EncodedString(),
        clientSecret: String = EngineHarness.clientSecret,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(50)),
        pkce: Bool = true, sandbox configuration: SandboxConfiguration = sandboxConfiguration(),
        _ body: (EngineHarness) async throws -> Void
    ) async throws {
        let sandbox = Sandbox(configuration: configuration)
        let httpClient = UPSSignInDriver.makeHTTPClient()
        do {
            try await sandbox.withRunningServer(logger: Logger(label: "sandbox", factory: { _ in SwiftLogNoOpLogHandler() })) { sandboxURL in
                let harness = try await make(
                    database: database, sandbox: sandbox, sandboxURL: sandboxURL, keys: keys, clientSecret: clientSecret, retry: retry, pkce: pkce,
                    httpClient: httpClient
                )
                try await body(harness)
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    private static func make(
        database: HarnessDatabase, sandbox: Sandbox, sandboxURL: URL, keys: String, clientSecret: String,
        retry: RetryPolicy, pkce: Bool, httpClient: HTTPClient
    ) async throws -> EngineHarness {
        let clock = MovableClock()
        let logs = LogCapture()
        let logger = logs.logger(label: "engine")
        let client = database.client
        let services = Services(
            companies: PostgresCompanyRepository(client: client, clock: clock),
            admins: try PostgresAdminRepository(client: client, hasher: BcryptPasswordHasher(cost: 4), clock: clock),
            memberships: PostgresMembershipRepository(client: client, clock: clock)
        )
        let connections = PostgresUPSConnectionRepository(client: client, logger: logger, publicURL: publicURL)
        let audit = PostgresAuditEventRepository(client: client)
        let keyRing = try AESGCMKeyRing.parse(keys)
        let provider = UPSProvider(
            configuration: UPSProviderConfiguration(
                baseURL: sandboxURL, clientID: clientID, clientSecret: Secret(clientSecret),
                redirectURI: URL(string: redirectURI)!, usesPKCE: pkce, requestTimeout: .seconds(5)
            ),
            httpClient: httpClient, clock: clock, logger: logger
        )
        let access = CompanyAccess(
            companies: services.companies, memberships: services.memberships, connections: connections, audit: audit, clock: clock,
            requests: PostgresAuthorizationRequestRepository(client: client)
        )
        let optIn = UPSOptInEngine(
            server: provider, requests: PostgresAuthorizationRequestRepository(client: client), connections: connections,
            admins: services.admins, access: access, secrets: keyRing, random: SystemRandomSource(), clock: clock,
            usePKCE: pkce, logger: logger
        )
        let refresher = UPSTokenRefresher(
            server: provider, connections: connections, secrets: keyRing, clock: clock, random: SystemRandomSource(),
            retry: retry, logger: logger
        )
        let company = try await services.companies.create(try CompanyName("Acme Logistics"), by: .operator("test"))
        let admin = try await services.admins.create(
            try NewAdmin(signInName: try SignInName("alice"), displayName: "Alice"), password: try Password("correct horse battery")
        )
        _ = try await services.memberships.grant(.admin, to: admin.id, in: company.id, by: .operator("test"))
        return EngineHarness(
            database: database, sandbox: sandbox, sandboxURL: sandboxURL, keyRing: keyRing, clock: clock, logs: logs,
            browser: UPSSignInDriver(client: httpClient), optIn: optIn, refresher: refresher, connections: connections,
            audit: audit, admin: admin, company: company, services: services, httpClient: httpClient, pkce: pkce
        )
    }

    // MARK: Variants, as another server with other settings would run

    func provider(clientSecret: String = EngineHarness.clientSecret) -> UPSProvider {
        UPSProvider(
            configuration: UPSProviderConfiguration(
                baseURL: sandboxURL, clientID: Self.clientID, clientSecret: Secret(clientSecret),
                redirectURI: URL(string: Self.redirectURI)!, usesPKCE: pkce, requestTimeout: .seconds(5)
            ),
            httpClient: httpClient, clock: clock, logger: logs.logger(label: "provider")
        )
    }

    func refresher(secrets: any SecretBox, clientSecret: String = EngineHarness.clientSecret, label: String = "server-2") -> UPSTokenRefresher {
        UPSTokenRefresher(
            server: provider(clientSecret: clientSecret), connections: connections, secrets: secrets, clock: clock,
            random: SystemRandomSource(), retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)),
            logger: logs.logger(label: label)
        )
    }

    func optInEngine(secrets: any SecretBox) -> UPSOptInEngine {
        UPSOptInEngine(
            server: provider(), requests: PostgresAuthorizationRequestRepository(client: database.client), connections: connections,
            admins: services.admins,
            access: CompanyAccess(
                companies: services.companies, memberships: services.memberships, connections: connections, audit: audit, clock: clock),
            secrets: secrets, random: SystemRandomSource(), clock: clock, usePKCE: pkce, logger: logs.logger(label: "server-2")
        )
    }

    // MARK: Steps

    /// Starts an opt-in and signs in at the sandbox; returns the callback UPS redirected to.
    func authorize(session: SessionBinding, company: Company? = nil, password: String = EngineHarness.upsPassword) async throws -> OptInCallback {
        let start = try await optIn.start(.id((company ?? self.company).id), by: admin, session: session)
        let redirected = try await browser.signIn(authorizationURL: start.authorizationURL, username: Self.upsUser, password: password)
        return OptInCallback(redirectedURL: redirected)
    }

    /// A full opt-in of `company` (default: the harness's).
    @discardableResult
    func optInFully(company: Company? = nil) async throws -> OptInCompletion {
        let session = SessionBinding(Secret("session-\(UUID())"))
        return try await optIn.complete(try await authorize(session: session, company: company), session: session)
    }

    /// The stored tokens, opened.
    func storedTokens(_ company: Company? = nil) async throws -> (access: Secret, refresh: Secret)? {
        let id = (company ?? self.company).id
        let locked = try await connections.withLockedConnection(id, .wait) { locked in (nil, locked) }
        guard let tokens = locked?.tokens else { return nil }
        return (
            try keyRing.open(tokens.accessToken, context: SealedTokenPair.accessTokenContext(id)),
            try keyRing.open(tokens.refreshToken, context: SealedTokenPair.refreshTokenContext(id))
        )
    }

    func connection(_ company: Company? = nil) async throws -> UPSConnection {
        try await connections.connection(for: (company ?? self.company).id)
    }

    func events(_ company: Company? = nil) async throws -> [AuditEvent] {
        try await audit.events(for: (company ?? self.company).id, limit: 100, before: nil)
    }

    /// The sandbox's resource API with `token`: the HTTP status.
    func track(with token: Secret) async throws -> Int {
        var request = HTTPClientRequest(url: sandboxURL.appendingPathComponent("/api/track/v1/details/1Z999AA10123456784").absoluteString)
        request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
        let response = try await httpClient.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// Presents a refresh token to the sandbox directly, as a careless client would.
    func presentRefreshToken(_ token: Secret) async throws -> Int {
        var request = HTTPClientRequest(url: sandboxURL.appendingPathComponent("/security/v1/oauth/refresh").absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let basic = Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.body = .bytes(
            .init(string: "grant_type=refresh_token&refresh_token=\(token.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"))
        let response = try await httpClient.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}

/// System time plus an offset the test sets, to the microsecond like `SystemClock`.
final class MovableClock: IPMDomain.Clock {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { SystemClock().now().addingTimeInterval(offset.withLock { $0 }) }

    func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }
}

/// Where the harness keeps its data.
struct HarnessDatabase: Sendable {
    let client: PostgresClient
    let connectionString: String
}

extension EngineHarness {
    /// The harness's refresher with another refresh policy (backoff, budget).
    func refresher(policy: RefreshPolicy, metrics: RefreshMetrics = RefreshMetrics()) -> UPSTokenRefresher {
        UPSTokenRefresher(
            server: provider(), connections: connections, secrets: keyRing, clock: clock, random: SystemRandomSource(),
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20)), policy: policy,
            logger: logs.logger(label: "worker"), metrics: metrics
        )
    }

    /// Another company with the harness's admin as its admin.
    func company(named name: String) async throws -> Company {
        let company = try await services.companies.create(try CompanyName(name), by: .operator("test"))
        _ = try await services.memberships.grant(.admin, to: admin.id, in: company.id, by: .operator("test"))
        return company
    }
}
