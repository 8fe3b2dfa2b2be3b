import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Logging
import Testing
import UPSSandbox

/// The UPS side of CLI tests: a sandbox with one app and one UPS.com user, the settings `ipm`
/// needs to reach it, and opt-ins made in-process by the engine, as `ipm-server` would.
enum OptInHarness {
    static let k1 = "k1:" + Data(repeating: 3, count: 32).base64EncodedString()
    static let publicURL = "http://127.0.0.1:9"
    static let redirect = publicURL + "/oauth/ups/callback"
    static let upsUser = (username: "shipper", password: "Shipper-Pass-1")

    static func sandboxConfiguration() -> SandboxConfiguration {
        SandboxConfiguration(
            host: "127.0.0.1", port: 0,
            clients: [RegisteredClient(clientID: "cli-client", clientSecret: "cli-secret", redirectURIs: [redirect], appName: "IPM CLI Tests")],
            users: [UPSUser(username: upsUser.username, email: "shipper@example.com", password: upsUser.password)]
        )
    }

    /// What an operator or admin would have set to use this database and sandbox.
    static func environment(database: TestDatabase, sandboxURL: URL) -> [String: String] {
        [
            "IPM_DATABASE_URL": database.connectionString, "IPM_UPS_BASE_URL": sandboxURL.absoluteString,
            "IPM_UPS_CLIENT_ID": "cli-client", "IPM_UPS_CLIENT_SECRET": "cli-secret",
            "IPM_PUBLIC_URL": publicURL, "IPM_UPS_REDIRECT_URI": redirect, "IPM_ENCRYPTION_KEYS": k1,
        ]
    }

    /// Runs `body` with the sandbox serving on a port of its own and an HTTP client for the sign-in.
    static func withSandbox(_ body: (_ sandbox: Sandbox, _ url: URL, _ http: HTTPClient) async throws -> Void) async throws {
        let sandbox = Sandbox(configuration: sandboxConfiguration())
        let http = UPSSignInDriver.makeHTTPClient()
        do {
            try await sandbox.withRunningServer(logger: Logger(label: "sandbox", factory: { _ in SwiftLogNoOpLogHandler() })) { url in
                try await body(sandbox, url, http)
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// A complete opt-in of `company` by `admin`, bound to `binding` (a browser session, say).
    static func optIn(
        company: String, by admin: String, binding: SessionBinding, database: TestDatabase, sandboxURL: URL, http: HTTPClient
    ) async throws {
        let parts = try Engine(
            client: database.client, sandboxURL: sandboxURL, http: http, clientID: "cli-client", clientSecret: "cli-secret", redirect: redirect,
            keys: k1)
        let acting = try #require(try await parts.admins.find(try SignInName(admin)))
        let start = try await parts.engine.start(try CompanyReference(company), by: acting, session: binding)
        let back = try await signIn(start.authorizationURL, http: http)
        _ = try await parts.engine.complete(OptInCallback(redirectedURL: back), session: binding)
    }

    /// The opt-in engine in this process, as `ipm-server` wires it, on `client` and the sandbox at `sandboxURL`.
    struct Engine: Sendable {
        let engine: UPSOptInEngine
        let companies: PostgresCompanyRepository
        let admins: PostgresAdminRepository
        let memberships: PostgresMembershipRepository

        /// `clock` says when opt-ins start (one set in the past makes an opt-in that has already expired).
        init(
            client: PostgresClient, sandboxURL: URL, http: HTTPClient, clientID: String, clientSecret: String, redirect: String, keys: String,
            pkce: Bool = false, clock: any IPMDomain.Clock = SystemClock()
        ) throws {
            companies = PostgresCompanyRepository(client: client, clock: clock)
            admins = try PostgresAdminRepository(client: client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
            memberships = PostgresMembershipRepository(client: client, clock: clock)
            let connections = PostgresUPSConnectionRepository(client: client)
            let provider = UPSProvider(
                configuration: UPSProviderConfiguration(
                    baseURL: sandboxURL, clientID: clientID, clientSecret: Secret(clientSecret), redirectURI: URL(string: redirect)!, usesPKCE: pkce
                ),
                httpClient: http
            )
            engine = UPSOptInEngine(
                server: provider, requests: PostgresAuthorizationRequestRepository(client: client), connections: connections, admins: admins,
                access: CompanyAccess(
                    companies: companies, memberships: memberships, connections: connections, audit: PostgresAuditEventRepository(client: client),
                    clock: clock),
                secrets: try AESGCMKeyRing.parse(keys), random: SystemRandomSource(), clock: clock, usePKCE: pkce,
                logger: Logger(label: "opt-in", factory: { _ in SwiftLogNoOpLogHandler() })
            )
        }
    }

    /// The UPS.com user signs in and agrees; the address UPS sends the browser back to.
    static func signIn(_ authorizationURL: URL, http: HTTPClient) async throws -> URL {
        try await UPSSignInDriver(client: http).signIn(authorizationURL: authorizationURL, username: upsUser.username, password: upsUser.password)
    }
}
