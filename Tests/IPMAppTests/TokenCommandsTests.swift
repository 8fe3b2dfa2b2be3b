import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Testing
import UPSSandbox

/// `ipm tokens refresh` and `ipm keys …`, run as binaries against a fresh database and the
/// sandbox over real sockets; the opt-in itself is made by the engine, as the server would.
@Suite("ipm tokens and keys")
struct TokenCommandsTests {
    static let k1 = OptInHarness.k1

    /// A database with one company whose admin opted in, the sandbox serving, and the
    /// environment an operator would have.
    private func withOptedInCompany(_ body: (_ env: [String: String], _ sandbox: Sandbox, _ database: TestDatabase) async throws -> Void) async throws
    {
        let database = try await TestDatabase.fresh()
        do {
            try await OptInHarness.withSandbox { sandbox, url, http in
                let env = OptInHarness.environment(database: database, sandboxURL: url)
                #expect(try await Programs.run("ipm", ["company", "create", "Acme Logistics"], environment: env).status == 0)
                #expect(
                    try await Programs.run(
                        "ipm", ["admin", "create", "alice", "--password-stdin"], environment: env, stdin: "correct horse battery\n"
                    ).status == 0)
                #expect(try await Programs.run("ipm", ["company", "add-admin", "Acme Logistics", "alice"], environment: env).status == 0)
                try await OptInHarness.optIn(
                    company: "Acme Logistics", by: "alice", binding: SessionBinding(Secret("cli-test")), database: database, sandboxURL: url,
                    http: http
                )
                try await body(env, sandbox, database)
            }
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
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

    /// The deployment's other services against the real `ipm-server`: a service token made by
    /// `ipm service-token create` gets the company's access token over a socket, and the proxy
    /// reaches the sandbox's tracking API with it.
    @Test func aServiceTokenGetsTheAccessTokenAndReachesUPSThroughIPMServer() async throws {
        try await withOptedInCompany { env, sandbox, database in
            let created = try await Programs.run(
                "ipm", ["service-token", "create", "label-printer", "--scope", "access-token", "--scope", "proxy"], environment: env)
            #expect(created.status == 0, "\(created.stderr)")
            let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let company = try #require(
                try await PostgresCompanyRepository(client: database.client, clock: SystemClock()).find(try CompanyReference("Acme Logistics")))
            let server = try ServerProcess(environment: env)
            let base = try #require(await server.waitUntilListening(), "ipm-server did not come up: \(server.log)")
            let api = base.absoluteString + "/api/v1/companies/\(company.id)/ups"

            let issued = try await Self.curl(api + "/access-token", bearer: token)
            #expect(issued.status == 200, "\(issued.body) \(server.log)")
            let answer = try JSONSerialization.jsonObject(with: Data(issued.body.utf8)) as? [String: Any]
            let accessToken = try #require(answer?["access_token"] as? String)
            #expect(answer?["token_type"] as? String == "Bearer")

            let tracked = try await Self.curl(api + "/proxy/api/track/v1/details/1Z999AA10123456784?locale=en_US", bearer: token)
            #expect(tracked.status == 200, "\(tracked.body) \(server.log)")
            #expect(tracked.body.contains("1Z999AA10123456784"))
            #expect(sandbox.counters[.resourceCallsOK] == 1)
            #expect(try await Self.curl(api + "/access-token", bearer: "ipm_svc_unknown").status == 401)
            let metrics = try await Programs.run("/usr/bin/curl", ["-s", "--max-time", "5", base.absoluteString + "/metrics"]).stdout
            #expect(metrics.contains(#"ipm_token_api_duration_seconds_count{outcome="ok"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"ipm_token_api_duration_seconds_count{outcome="unauthorized"} 1"#))
            #expect(metrics.contains(#"ipm_ups_proxy_duration_seconds_count{outcome="2xx"} 1"#))

            let exit = await server.stop()
            #expect(exit.status == 0, "\(server.log)")
            #expect(!server.log.contains(accessToken) && !server.log.contains(token), "no token in the server's log")
        }
    }

    /// `curl` with a bearer token: the status and body.
    private static func curl(_ url: String, bearer: String) async throws -> (status: Int, body: String) {
        let run = try await Programs.run(
            "/usr/bin/curl", ["-s", "--max-time", "20", "-H", "Authorization: Bearer \(bearer)", "-w", "\n%{http_code}", url])
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}
