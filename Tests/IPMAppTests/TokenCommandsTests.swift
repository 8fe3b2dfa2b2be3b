import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Logging
import Testing
import UPSSandbox

/// `ipm tokens refresh` and `ipm keys …`, run as binaries against a fresh database and the
/// sandbox over real sockets; the opt-in itself is made by the engine, as the server would.
@Suite("ipm tokens and keys")
struct TokenCommandsTests {
    static let k1 = "k1:" + Data(repeating: 3, count: 32).base64EncodedString()
    static let redirect = "http://127.0.0.1:9/oauth/ups/callback"

    private static func sandboxConfiguration() -> SandboxConfiguration {
        SandboxConfiguration(
            host: "127.0.0.1", port: 0,
            clients: [RegisteredClient(clientID: "cli-client", clientSecret: "cli-secret", redirectURIs: [redirect], appName: "IPM CLI Tests")],
            users: [UPSUser(username: "shipper", email: "shipper@example.com", password: "Shipper-Pass-1")]
        )
    }

    /// A database with one company whose admin opted in, the sandbox serving, and the
    /// environment an operator would have.
    private func withOptedInCompany(_ body: (_ env: [String: String], _ sandbox: Sandbox, _ database: TestDatabase) async throws -> Void) async throws {
        let database = try await TestDatabase.fresh()
        let sandbox = Sandbox(configuration: Self.sandboxConfiguration())
        let http = UPSSignInDriver.makeHTTPClient()
        do {
            try await sandbox.withRunningServer(logger: Logger(label: "sandbox", factory: { _ in SwiftLogNoOpLogHandler() })) { url in
                let env = [
                    "IPM_DATABASE_URL": database.connectionString, "IPM_UPS_BASE_URL": url.absoluteString,
                    "IPM_UPS_CLIENT_ID": "cli-client", "IPM_UPS_CLIENT_SECRET": "cli-secret",
                    "IPM_UPS_REDIRECT_URI": Self.redirect, "IPM_ENCRYPTION_KEYS": Self.k1,
                ]
                #expect(try await Programs.run("ipm", ["company", "create", "Acme Logistics"], environment: env).status == 0)
                #expect(try await Programs.run("ipm", ["admin", "create", "alice", "--password-stdin"], environment: env, stdin: "correct horse battery\n").status == 0)
                #expect(try await Programs.run("ipm", ["company", "add-admin", "Acme Logistics", "alice"], environment: env).status == 0)
                try await optIn(database: database, sandboxURL: url, http: http)
                try await body(env, sandbox, database)
            }
        } catch {
            try? await http.shutdown()
            await database.drop()
            throw error
        }
        try await http.shutdown()
        await database.drop()
    }

    private func optIn(database: TestDatabase, sandboxURL: URL, http: HTTPClient) async throws {
        let clock = SystemClock()
        let client = database.client
        let companies = PostgresCompanyRepository(client: client, clock: clock)
        let admins = try PostgresAdminRepository(client: client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        let memberships = PostgresMembershipRepository(client: client, clock: clock)
        let connections = PostgresUPSConnectionRepository(client: client)
        let provider = UPSProvider(
            configuration: UPSProviderConfiguration(baseURL: sandboxURL, clientID: "cli-client", clientSecret: Secret("cli-secret"), redirectURI: URL(string: Self.redirect)!),
            httpClient: http
        )
        let engine = UPSOptInEngine(
            server: provider, requests: PostgresAuthorizationRequestRepository(client: client), connections: connections, admins: admins,
            access: CompanyAccess(companies: companies, memberships: memberships, connections: connections, audit: PostgresAuditEventRepository(client: client), clock: clock),
            secrets: try AESGCMKeyRing.parse(Self.k1), random: SystemRandomSource(), clock: clock, usePKCE: true, logger: Logger(label: "test")
        )
        let admin = try #require(try await admins.find(try SignInName("alice")))
        let session = SessionBinding(Secret("cli-test"))
        let start = try await engine.start(.name(try CompanyName("Acme Logistics")), by: admin, session: session)
        let back = try await UPSSignInDriver(client: http).signIn(authorizationURL: start.authorizationURL, username: "shipper", password: "Shipper-Pass-1")
        _ = try await engine.complete(OptInCallback(redirectedURL: back), session: session)
    }

    @Test func refreshReportsEachOutcome() async throws {
        try await withOptedInCompany { env, sandbox, _ in
            let notDue = try await Programs.run("ipm", ["tokens", "refresh"], environment: env)
            #expect(notDue.status == 0, "\(notDue.stderr)")
            #expect(notDue.stdout.contains("No company is due for a refresh."))

            let forced = try await Programs.run("ipm", ["tokens", "refresh", "acme logistics", "--force"], environment: env)
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(forced.stdout.contains("Acme Logistics"))
            #expect(forced.stdout.contains("refreshed"))
            #expect(sandbox.counters[.refreshesServed] == 1)

            let json = try await Programs.run("ipm", ["tokens", "refresh", "Acme Logistics", "--json"], environment: env)
            #expect(json.status == 0)
            let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(parsed?.first?["outcome"] as? String == "not due")
            #expect(parsed?.first?["company"] as? String == "Acme Logistics")

            _ = try sandbox.changePassword(username: "shipper", to: "Changed-Pass-2")
            let refused = try await Programs.run("ipm", ["tokens", "refresh", "Acme Logistics", "--force"], environment: env)
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("re-authorization required"))
            #expect(refused.stdout.contains("UPS.com password of the user who opted in was changed"))
            #expect(refused.stderr == "ipm: 1 of 1 refresh failed\n")
            #expect(sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test func badInvocationsAndSettingsAreOneLine() async throws {
        try await withOptedInCompany { env, _, _ in
            let force = try await Programs.run("ipm", ["tokens", "refresh", "--force"], environment: env)
            #expect(force.status == 64)
            #expect(force.stderr.contains("--force needs a COMPANY"))

            let unknown = try await Programs.run("ipm", ["tokens", "refresh", "Nobody Inc"], environment: env)
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("Nobody Inc"))

            var noClient = env
            noClient["IPM_UPS_CLIENT_ID"] = nil
            let missing = try await Programs.run("ipm", ["tokens", "refresh"], environment: noClient)
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("ipm: IPM_UPS_CLIENT_ID: expected"))

            var badKeys = env
            badKeys["IPM_ENCRYPTION_KEYS"] = "k1:short"
            let keys = try await Programs.run("ipm", ["tokens", "refresh"], environment: badKeys)
            #expect(keys.status == 1)
            #expect(keys.stderr.hasPrefix("ipm: IPM_ENCRYPTION_KEYS:"))
            #expect(keys.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func keysGenerateAndRotate() async throws {
        try await withOptedInCompany { env, sandbox, database in
            let generated = try await Programs.run("ipm", ["keys", "generate", "--id", "k2"], environment: [:])
            #expect(generated.status == 0, "\(generated.stderr)")
            let spec = generated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(spec.hasPrefix("k2:"))
            #expect(try AESGCMKeyRing.parse(spec).currentKeyID == "k2")

            var rotated = env
            rotated["IPM_ENCRYPTION_KEYS"] = "\(spec),\(Self.k1)"
            let rotate = try await Programs.run("ipm", ["keys", "rotate"], environment: rotated)
            #expect(rotate.status == 0, "\(rotate.stderr)")
            #expect(rotate.stdout.contains("Re-sealed 1 token pair and 0 pending opt-in verifiers under key \"k2\"."))
            let again = try await Programs.run("ipm", ["keys", "rotate", "--json"], environment: rotated)
            #expect(again.stdout.contains("\"tokenPairs\" : 0"))

            // The old key can go: the new one alone refreshes the company.
            var newOnly = env
            newOnly["IPM_ENCRYPTION_KEYS"] = spec
            let refresh = try await Programs.run("ipm", ["tokens", "refresh", "Acme Logistics", "--force"], environment: newOnly)
            #expect(refresh.status == 0, "\(refresh.stdout) \(refresh.stderr)")
            #expect(sandbox.counters[.refreshesServed] == 1)

            // With only the old key, the stored pair does not open: said in one line, nothing sent.
            let oldOnly = try await Programs.run("ipm", ["tokens", "refresh", "Acme Logistics", "--force"], environment: env)
            #expect(oldOnly.status == 1)
            #expect(oldOnly.stdout.contains("\"k2\", which is not in IPM_ENCRYPTION_KEYS"))
            #expect(sandbox.counters[.refreshesServed] == 1)
            _ = database
        }
    }
}
