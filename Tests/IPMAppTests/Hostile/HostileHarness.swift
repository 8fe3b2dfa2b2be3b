import Foundation
import IPMDomain
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Testing

/// The hostile-input suite's world: a real `ipm-server` process on a fresh database and a
/// real ups-sandbox, with two tenants — Acme Logistics (alice admin, victor viewer) and
/// Other Co (mallory admin) — and raw requests sent to it over sockets. Every attack test
/// says what it sends, what it expects back, that nothing changed in the database, and that
/// the server is still up afterwards (`expectStillServing`).
struct HostileServer: Sendable {
    static let password = "hostile password 1"

    let database: TestDatabase
    let base: URL
    let acme: Company
    let other: Company
    let process: ServerProcess

    var port: Int { base.port ?? 0 }

    /// Starts the world and one server (with `environment` added to the usual settings),
    /// runs `body`, and stops both.
    static func with(environment extra: [String: String] = [:], _ body: (HostileServer) async throws -> Void) async throws {
        let database = try await TestDatabase.fresh()
        do {
            let (acme, other) = try await seed(database)
            try await OptInHarness.withSandbox { _, sandboxURL, _ in
                var environment = OptInHarness.environment(database: database, sandboxURL: sandboxURL)
                environment["IPM_HTTP_HOST"] = "127.0.0.1"
                environment.merge(extra) { $1 }
                let process = try ServerProcess(environment: environment)
                guard let base = await process.waitUntilListening() else {
                    _ = await process.stop()
                    Issue.record("ipm-server did not come up: \(process.log)")
                    return
                }
                let server = HostileServer(database: database, base: base, acme: acme, other: other, process: process)
                do {
                    try await body(server)
                } catch {
                    _ = await process.stop()
                    throw error
                }
                _ = await process.stop()
            }
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    private static func seed(_ database: TestDatabase) async throws -> (Company, Company) {
        let clock = SystemClock()
        let companies = PostgresCompanyRepository(client: database.client, clock: clock)
        let admins = try PostgresAdminRepository(client: database.client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        let memberships = PostgresMembershipRepository(client: database.client, clock: clock)
        let setup = AuditActor.operator("test")
        let acme = try await companies.create(try CompanyName("Acme Logistics"), by: setup)
        let other = try await companies.create(try CompanyName("Other Co"), by: setup)
        for (name, company, role) in [("alice", acme, Role.admin), ("victor", acme, .viewer), ("mallory", other, .admin)] {
            let admin = try await admins.create(try NewAdmin(signInName: try SignInName(name)), password: try Password(password))
            _ = try await memberships.grant(role, to: admin.id, in: company.id, by: setup)
        }
        return (acme, other)
    }

    // MARK: Requests

    /// One request on a connection of its own (`Connection: close`), bytes exactly as given
    /// in `path` and `headers`; `nil` when the server closed the connection without answering.
    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> RawResponse? {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.utf8.count)\r\n" }
        let bytes = Array((head + "\r\n" + (body ?? "")).utf8)
        let port = port
        return try await onThread {
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            connection.send(bytes)
            return RawResponse(connection.readUntilClosed(seconds: 15).bytes)
        }
    }

    /// Like `send`, but an answer is required.
    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RawResponse {
        try #require(
            try await send(method, path, headers: headers, body: body), "no answer to \(method) \(path): \(process.log)",
            sourceLocation: sourceLocation)
    }

    /// A session token from `POST /api/v1/sessions`, for `Authorization: Bearer`.
    func apiToken(_ name: String, password: String = HostileServer.password) async throws -> String {
        let answer = try await request(
            "POST", "/api/v1/sessions", headers: [("Content-Type", "application/json")],
            body: #"{"signInName":"\#(name)","password":"\#(password)"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        return try #require(object?["token"] as? String, "no session token: \(answer)")
    }

    /// Signs in through the web form as a browser does: the form page (its form cookie and
    /// CSRF token), then the post with every cookie the browser holds (a session cookie
    /// too: one it had before the form was shown, or one planted in it). Returns the post's
    /// answer; `browser` keeps the cookies.
    func webSignIn(
        _ name: String, password: String = HostileServer.password, next: String? = nil, browser: inout RawBrowser
    ) async throws -> RawResponse {
        let formCookies = browser.cookies.filter { $0.key.hasSuffix("ipm_form") }.map { "\($0.key)=\($0.value)" }
        let page = try await request("GET", "/sign-in", headers: formCookies.isEmpty ? [] : [("Cookie", formCookies.joined(separator: "; "))])
        browser.keep(page)
        var fields = [("csrf", RawBrowser.csrf(in: page) ?? ""), ("name", name), ("password", password)]
        if let next { fields.append(("next", next)) }
        let answer = try await request(
            "POST", "/sign-in", headers: formHeaders(browser), body: fields.map { "\($0.0)=\($0.1.formEscaped)" }.joined(separator: "&"))
        browser.keep(answer)
        return answer
    }

    func formHeaders(_ browser: RawBrowser) -> [(String, String)] {
        [("Content-Type", "application/x-www-form-urlencoded")] + (browser.cookieHeader.map { [("Cookie", $0)] } ?? [])
    }

    /// An operator command on this server's database.
    func operatorCommand(_ arguments: String...) async throws -> ProgramRun {
        try await Programs.run("ipm", arguments, environment: ["IPM_DATABASE_URL": database.connectionString])
    }

    // MARK: Checks

    /// What an attack must not change: row counts of every table a request could touch,
    /// live sessions, used invitations.
    func state() async throws -> DatabaseState {
        let counts = [
            "companies": "SELECT count(*) FROM companies", "admins": "SELECT count(*) FROM admins",
            "enabled admins": "SELECT count(*) FROM admins WHERE NOT disabled",
            "memberships": "SELECT count(*) FROM memberships", "audit_events": "SELECT count(*) FROM audit_events",
            "live sessions": "SELECT count(*) FROM admin_sessions WHERE revoked_at IS NULL",
            "api_tokens": "SELECT count(*) FROM api_tokens", "invitations": "SELECT count(*) FROM invitations",
            "used invitations": "SELECT count(*) FROM invitations WHERE accepted_at IS NOT NULL",
            "ups_connections": "SELECT count(*) FROM ups_connections", "notifications": "SELECT count(*) FROM notifications",
            "authorization requests": "SELECT count(*) FROM ups_authorization_requests",
        ]
        var state: [String: Int] = [:]
        for (name, sql) in counts {
            let row = try await database.client.query(SQL(unsafeText: "SELECT (\(sql))::bigint AS n")).first
            state[name] = try row?.decode("n", as: Int.self) ?? -1
        }
        return DatabaseState(counts: state)
    }

    /// The process is alive and `/healthz` answers 200 on a new connection.
    func expectStillServing(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(process.isRunning, "ipm-server stopped: \(process.log.suffix(3000))", sourceLocation: sourceLocation)
        let health = try await send("GET", "/healthz")
        #expect(
            health?.status == 200, "GET /healthz: \(health?.description ?? "no answer"); log: \(process.log.suffix(3000))",
            sourceLocation: sourceLocation)
    }
}

/// Row counts, compared before and after an attack.
struct DatabaseState: Equatable, Sendable, CustomStringConvertible {
    let counts: [String: Int]
    var description: String { counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}
