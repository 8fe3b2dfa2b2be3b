import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// Issue 16, target 1: two `ipm-server` processes on one PostgreSQL, each with its token cache
/// (decision 66). Changes are made on instance A; instance B must stop handing out the old
/// token once the notification has reached it — measured — and must never serve from memory
/// while its listening connection is down, nor a token within the refresh margin.
@Suite("Two ipm-server instances: the token cache and its invalidation", .serialized, .tags(.multiInstance))
struct TokenCacheInstancesTests {
    static let accessTokenSeconds = 180
    /// Tokens are served from memory for the first 30 s of their life, then refreshed first.
    static let marginSeconds = 150
    static let key = "k1:" + Data(repeating: 6, count: 32).base64EncodedString()
    static let clientID = "token-cache-client"
    static let clientSecret = "token-cache-secret"
    static let redirect = "http://127.0.0.1:9/oauth/ups/callback"
    static let upsUser = (username: "shipper", password: "Shipper-Pass-1")
    /// How long B may take to stop handing out a token changed on A (notification and all),
    /// generous for a loaded CI machine; the measured figure is printed.
    static let invalidationBound = Duration.seconds(2)

    @Test("B stops handing out A's opted-out or replaced token once notified; nothing stale while B's listener is down or after a restart")
    func twoInstances() async throws {
        let sandbox = SandboxedCluster.Sandbox(
            appName: "IPM Token Cache", clientID: Self.clientID, clientSecret: Self.clientSecret, redirect: Self.redirect, user: Self.upsUser,
            accessTokenSeconds: Self.accessTokenSeconds)
        try await SandboxedCluster.run(sandbox, maxConnections: 4) { stack in
            var servers: [ServerProcess] = []
            do {
                let environment = [
                    "IPM_DATABASE_URL": stack.cluster.url, "IPM_UPS_BASE_URL": stack.sandboxURL.absoluteString,
                    "IPM_UPS_CLIENT_ID": Self.clientID, "IPM_UPS_CLIENT_SECRET": Self.clientSecret,
                    "IPM_PUBLIC_URL": "http://127.0.0.1:9", "IPM_UPS_REDIRECT_URI": Self.redirect, "IPM_ENCRYPTION_KEYS": Self.key,
                    // The worker looks once at start-up (nothing is due) and not again during the test.
                    "IPM_REFRESH_INTERVAL": "3600", "IPM_REFRESH_MARGIN": "\(Self.marginSeconds)", "IPM_DATABASE_MAX_CONNECTIONS": "6",
                ]
                servers = [try ServerProcess(environment: environment), try ServerProcess(environment: environment)]
                var bases: [URL] = []
                for server in servers {
                    bases.append(try #require(await server.waitUntilListening(), "ipm-server did not come up: \(server.log)"))
                }
                let world = try await TwoInstances(client: stack.client, http: stack.http, sandboxURL: stack.sandboxURL, a: bases[0], b: bases[1])
                try await run(world, cluster: stack.cluster, servers: servers)
            } catch {
                for server in servers { _ = await server.stop() }
                throw error
            }
            for server in servers {
                let exit = await server.stop()
                #expect(exit.reason == .exit && exit.status == 0, "\(server.log.suffix(3000))")
            }
        }
    }

    private func run(_ world: TwoInstances, cluster: RestartableCluster, servers: [ServerProcess]) async throws {
        for base in [world.a, world.b] { try await world.waitForListening(base, true) }
        let companies = try await world.companies(5)

        // The margin case's company first: its token enters the margin 30 s after its opt-in,
        // while the other cases run.
        let due = companies[2]
        let dueToken = try await world.optIn(due)
        let dueIssued = ContinuousClock.now
        #expect(try await world.cachedOnB(due) == dueToken)

        // 1. An opt-out on A.
        let optedOut = companies[0]
        let before = try await world.optIn(optedOut)
        #expect(try await world.cachedOnB(optedOut) == before, "B serves the token from memory")
        let optOutDelay = try await world.measure(on: optedOut, replacing: before) { try await world.optOut(optedOut) }
        #expect(optOutDelay.answer == nil, "after the opt-out B hands out no token")
        for _ in 0..<5 { #expect(try await world.token(world.b, optedOut).token == nil) }

        // 2. A re-authorization on A: a new grant replaces the pair.
        let reauthorized = companies[1]
        let first = try await world.optIn(reauthorized)
        #expect(try await world.cachedOnB(reauthorized) == first)
        let reauthorizationDelay = try await world.measure(on: reauthorized, replacing: first) { _ = try await world.optIn(reauthorized) }
        let second = try #require(reauthorizationDelay.answer, "after the re-authorization B hands out the new token")
        #expect(second != first)
        #expect(try await world.token(world.a, reauthorized).token == second)
        print(
            "token cache: B stopped handing out the old token \(optOutDelay.delay) after A's opt-out, \(reauthorizationDelay.delay) after A's re-authorization"
        )
        #expect(optOutDelay.delay < Self.invalidationBound && reauthorizationDelay.delay < Self.invalidationBound)

        // 3. Within the margin: refreshed first, once across both instances, never served from memory.
        try await Task.sleep(until: dueIssued + .seconds(Self.accessTokenSeconds - Self.marginSeconds) + .milliseconds(500))
        let servedBefore = try await world.counters()["refreshes_served", default: 0]
        let answers = try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<16 {
                group.addTask { try await world.token(index % 2 == 0 ? world.a : world.b, due).token }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        let counters = try await world.counters()
        #expect(counters["refreshes_served", default: 0] - servedBefore == 1, "one refresh across both instances: \(counters)")
        #expect(counters["refresh_token_reuse", default: 0] == 0)
        #expect(Set(answers).count == 1 && answers.first! != nil && answers.first! != dueToken, "every caller got the new token: \(answers)")

        // 4. The listening connections killed: nothing from memory while B's is down (the
        // opt-out's notification is lost to it), the cache back afterwards.
        let down = companies[3]
        var servedWhileDown = false
        // The listener is back within about a second; under the full suite's load the steps
        // below have missed that window five times in a row, so up to 20 tries.
        for _ in 0..<20 where !servedWhileDown {
            for base in [world.a, world.b] { try await world.waitForListening(base, true) }
            let downToken = try await world.optIn(down)
            #expect(try await world.cachedOnB(down) == downToken)
            try await world.terminateListeners()
            try await world.waitForListening(world.b, false)
            try await world.optOut(down)
            let answer = try await world.token(world.b, down)
            servedWhileDown = try await world.listening(world.b) == false
            #expect(answer.token == nil, "B handed out the opted-out token while its listener was down")
        }
        #expect(servedWhileDown, "B's listener came back before the opt-out could be checked against it")
        try await world.waitForListening(world.b, true)
        let back = try await world.optIn(down)
        #expect(try await world.cachedOnB(down) == back, "the cache serves again once LISTEN is back")

        // 5. PostgreSQL restarts under both: the cache comes back, and invalidation works again.
        let dropsBefore = servers[1].log.components(separatedBy: "the listening database connection dropped").count
        try await cluster.restart()
        let noticed = ContinuousClock.now + .seconds(10)
        while servers[1].log.components(separatedBy: "the listening database connection dropped").count == dropsBefore, ContinuousClock.now < noticed
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(servers[1].log.components(separatedBy: "the listening database connection dropped").count > dropsBefore, "B noticed the restart")
        try await world.waitForListening(world.b, true)
        let restarted = companies[4]
        let afterRestart = try await world.optIn(restarted)
        #expect(try await world.cachedOnB(restarted) == afterRestart)
        let restartDelay = try await world.measure(on: restarted, replacing: afterRestart) { try await world.optOut(restarted) }
        #expect(restartDelay.answer == nil)
        print("token cache: after a PostgreSQL restart, B stopped handing out the old token \(restartDelay.delay) after A's opt-out")
        #expect(restartDelay.delay < Self.invalidationBound)
    }
}

/// The two servers, the sandbox and the database as the test drives them: an admin with an API
/// token for A's admin API, and a service token for the token API on both.
private struct TwoInstances: Sendable {
    let client: PostgresClient
    let http: HTTPClient
    let sandboxURL: URL
    let a: URL
    let b: URL
    let admin: Admin
    let adminToken: String
    let serviceToken: String

    init(client: PostgresClient, http: HTTPClient, sandboxURL: URL, a: URL, b: URL) async throws {
        self.client = client
        self.http = http
        self.sandboxURL = sandboxURL
        self.a = a
        self.b = b
        let clock = SystemClock()
        let admins = try PostgresAdminRepository(client: client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        admin = try await admins.create(
            try NewAdmin(signInName: try SignInName("operator"), displayName: "Operator"), password: try Password("correct horse battery"))
        adminToken = try await APITokenService(
            tokens: PostgresAPITokenRepository(client: client), admins: admins, clock: clock, random: SystemRandomSource()
        ).create(named: "token cache test", for: admin).secret.value
        serviceToken = try await ServiceCredentials(
            repository: PostgresServiceCredentialRepository(client: client), clock: clock, random: SystemRandomSource()
        ).create(name: "token-cache-test", scopes: [.accessToken], by: "test").1.value
    }

    func companies(_ count: Int) async throws -> [CompanyID] {
        let companies = PostgresCompanyRepository(client: client, clock: SystemClock())
        let memberships = PostgresMembershipRepository(client: client, clock: SystemClock())
        var ids: [CompanyID] = []
        for index in 0..<count {
            let company = try await companies.create(try CompanyName("Cached \(index)"), by: .operator("test"))
            _ = try await memberships.grant(.admin, to: admin.id, in: company.id, by: .operator("test"))
            ids.append(company.id)
        }
        return ids
    }

    /// A complete opt-in through A's API; the token A then hands out.
    @discardableResult
    func optIn(_ company: CompanyID) async throws -> String {
        let start = try await send(.POST, a.appendingPathComponent("api/v1/companies/\(company)/opt-in"))
        #expect(start.status == 201, "\(start.body)")
        let object = try JSONSerialization.jsonObject(with: Data(start.body.utf8)) as? [String: Any]
        let url = try #require((object?["authorizationURL"] as? String).flatMap { URL(string: $0) })
        let back = try await UPSSignInDriver(client: http).signIn(
            authorizationURL: url, username: TokenCacheInstancesTests.upsUser.username, password: TokenCacheInstancesTests.upsUser.password)
        let body = try JSONSerialization.data(withJSONObject: ["redirectedURL": back.absoluteString])
        let done = try await send(.POST, a.appendingPathComponent("api/v1/oauth/complete"), body: body)
        #expect(done.status == 200, "\(done.body)")
        return try #require(try await token(a, company).token)
    }

    func optOut(_ company: CompanyID) async throws {
        let answer = try await send(.POST, a.appendingPathComponent("api/v1/companies/\(company)/opt-out"))
        #expect(answer.status == 200, "\(answer.body)")
    }

    /// B's token for the company, asked twice: the second answer must come from memory.
    func cachedOnB(_ company: CompanyID) async throws -> String? {
        _ = try await token(b, company)
        let hits = try await metric(b, #"ipm_token_cache_lookups_total{result="hit"}"#) ?? 0
        let answer = try await token(b, company).token
        let after = try await metric(b, #"ipm_token_cache_lookups_total{result="hit"}"#) ?? 0
        #expect(after == hits + 1, "B's second answer came from memory (hits \(hits) → \(after))")
        return answer
    }

    /// The token API's answer on `base`: the token, or `nil` with the status.
    func token(_ base: URL, _ company: CompanyID) async throws -> (token: String?, status: Int) {
        let answer = try await send(.GET, base.appendingPathComponent("api/v1/companies/\(company)/ups/access-token"), bearer: serviceToken)
        guard answer.status == 200 else { return (nil, answer.status) }
        let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        return (object?["access_token"] as? String, 200)
    }

    /// Runs `change` on A, then asks B until it no longer hands out `old`: how long that took
    /// after A answered (the change committed), and B's new answer.
    func measure(
        on company: CompanyID, replacing old: String, _ change: () async throws -> Void
    ) async throws -> (delay: Duration, answer: String?) {
        try await change()
        let committed = ContinuousClock.now
        while true {
            let answer = try await token(b, company).token
            if answer != old { return (ContinuousClock.now - committed, answer) }
            guard ContinuousClock.now - committed < .seconds(10) else {
                Issue.record("B still hands out the old token 10 s after the change")
                return (ContinuousClock.now - committed, answer)
            }
        }
    }

    func terminateListeners() async throws {
        let killed = try await client.query(
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'ipm listener'")
        #expect(killed.count == 2, "one listener per instance")
    }

    func listening(_ base: URL) async throws -> Bool {
        try await metric(base, "ipm_token_cache_listening") == 1
    }

    func waitForListening(_ base: URL, _ state: Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await listening(base)) != state {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(base) did not report listening = \(state) within 30 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func counters() async throws -> [String: Int] {
        try JSONDecoder().decode(
            [String: Int].self, from: Data(try await send(.GET, sandboxURL.appendingPathComponent("sandbox/counters")).body.utf8))
    }

    private func metric(_ base: URL, _ name: String) async throws -> Double? {
        let text = try await send(.GET, base.appendingPathComponent("metrics")).body
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    private func send(_ method: HTTPMethod, _ url: URL, body: Data? = nil, bearer: String? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(bearer ?? adminToken)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(20))
        let collected = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: collected))
    }
}
