import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import NIOHTTP1
import Testing
import UPSSandbox

/// One `ipm-server` process for the sign-in, credential and proxy attacks: the world of
/// `AdminCLITests` (alice admin and victor viewer of Acme Logistics, mallory of Other Co) on a
/// fresh database, a running ups-sandbox, and an HTTP client that opens as many connections
/// as an attacker would.
struct AuthAttackServer: Sendable {
    let world: AdminCLITests.World
    let process: ServerProcess
    let base: URL
    let sandbox: Sandbox
    let sandboxURL: URL
    /// Drives the sandbox's sign-in pages (opt-ins).
    let signInClient: HTTPClient
    /// The attacker's client: up to 256 connections, no redirects followed.
    let http: HTTPClient

    /// Runs `body` with a server started with the world's settings plus `settings`.
    static func run(settings: [String: String] = [:], _ body: (AuthAttackServer) async throws -> Void) async throws {
        let world = try await AdminCLITests.World.make()
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await OptInHarness.withSandbox { sandbox, sandboxURL, signInClient in
                var environment = OptInHarness.environment(database: world.database, sandboxURL: sandboxURL)
                environment["IPM_HTTP_HOST"] = "127.0.0.1"
                environment.merge(settings) { $1 }
                let process = try ServerProcess(environment: environment)
                guard let base = await process.waitUntilListening() else {
                    _ = await process.stop()
                    Issue.record("ipm-server did not come up: \(process.log)")
                    return
                }
                let server = AuthAttackServer(
                    world: world, process: process, base: base, sandbox: sandbox, sandboxURL: sandboxURL, signInClient: signInClient, http: http
                )
                do {
                    try await body(server)
                } catch {
                    _ = await process.stop()
                    throw error
                }
                _ = await process.stop()
            }
        } catch {
            try? await http.shutdown()
            await world.drop()
            throw error
        }
        try? await http.shutdown()
        await world.drop()
    }

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// One request; `json` is sent as `application/json`, `form` as a urlencoded form.
    func send(
        _ method: HTTPMethod, _ path: String, bearer: String? = nil, headers: [(String, String)] = [],
        json: [String: Any]? = nil, form: [(String, String)]? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let encoded = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: encoded))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    /// A terminal's sign-in through the API: the session token, or the refusal's answer.
    func signIn(_ name: String, _ password: String, headers: [(String, String)] = []) async throws -> (token: String?, answer: Answer) {
        let answer = try await send(.POST, "/api/v1/sessions", headers: headers, json: ["signInName": name, "password": password])
        return (answer.status == 201 ? answer.json["token"] as? String : nil, answer)
    }

    /// A browser's sign-in on the web page: the session cookie's value, or `nil`.
    func webSignIn(_ name: String, _ password: String) async throws -> String? {
        let page = try await send(.GET, "/sign-in")
        let formCookie = try #require(Self.cookie("ipm_form", in: page.headers))
        let csrf = try #require(Self.hiddenField("csrf", in: page.body))
        let posted = try await send(
            .POST, "/sign-in", headers: [("Cookie", "ipm_form=\(formCookie)")],
            form: [("csrf", csrf), ("name", name), ("password", password), ("next", "/settings")]
        )
        return posted.status == 303 ? Self.cookie("ipm_session", in: posted.headers) : nil
    }

    /// Whether the browser's cookie still opens Settings (else the page sends it to sign in).
    func webSessionWorks(_ cookie: String) async throws -> Bool {
        try await send(.GET, "/settings", headers: [("Cookie", "ipm_session=\(cookie)")]).status == 200
    }

    /// An `ipm` operator command on the server's database.
    func operatorCommand(_ arguments: [String], stdin: String? = nil, settings: [String: String] = [:]) async throws -> ProgramRun {
        try await Programs.run(
            "ipm", arguments, environment: ["IPM_DATABASE_URL": world.database.connectionString].merging(settings) { $1 }, stdin: stdin)
    }

    /// The process runs and answers `/healthz` and `/readyz`.
    func expectStillUp(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(process.isRunning, "ipm-server stopped: \(process.log)", sourceLocation: sourceLocation)
        #expect(try await send(.GET, "/healthz").status == 200, sourceLocation: sourceLocation)
        #expect(try await send(.GET, "/readyz").status == 200, sourceLocation: sourceLocation)
    }

    /// One number from the database.
    func count(_ sql: String) async throws -> Int {
        let rows = try await world.database.client.query(SQL(unsafeText: sql))
        return try rows.first?.decode("n", as: Int.self) ?? 0
    }

    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for value in headers["Set-Cookie"] {
            let pair = value.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name, !pair[1].isEmpty { return String(pair[1]) }
        }
        return nil
    }

    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
