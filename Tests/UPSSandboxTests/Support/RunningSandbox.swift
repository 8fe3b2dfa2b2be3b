import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import UPSSandbox

/// A sandbox served on a kernel-picked loopback port for one test, and a client that
/// speaks to it over real sockets, one fresh connection per request (so a connection the
/// sandbox drops on purpose never takes later requests down with it).
struct RunningSandbox {
    let sandbox: Sandbox
    let base: URL
    var port: Int { base.port! }

    static let demoClient = "ipm-demo-client"
    static let demoSecret = "ipm-demo-secret"
    static let demoRedirect = "http://127.0.0.1:8080/oauth/ups/callback"
    static let demoUser = "demo-shipper"
    static let demoPassword = "Shipper-Pass-1"

    /// Runs `body` against a fresh demo sandbox; `adjust` changes its configuration first.
    static func with(
        _ adjust: (inout SandboxConfiguration) -> Void = { _ in },
        _ body: (RunningSandbox) async throws -> Void
    ) async throws {
        var configuration = SandboxConfiguration.demo(port: 0)
        configuration.faults.seed = 7
        adjust(&configuration)
        let sandbox = Sandbox(configuration: configuration)
        var logger = Logger(label: "ups-sandbox-test")
        logger.logLevel = .warning
        try await sandbox.withRunningServer(logger: logger) { base in
            try await body(RunningSandbox(sandbox: sandbox, base: base))
        }
    }

    // MARK: HTTP

    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: String? = nil) async throws -> TestClient.Response {
        let request = TestClient.Request(
            path, method: method, authority: "127.0.0.1:\(port)", headers: headers, body: body.map { ByteBuffer(string: $0) })
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(request)
        }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await send(.get, path, headers: headers)
    }

    func postForm(_ path: String, _ fields: KeyValuePairs<String, String?>, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(.post, path, headers: headers, body: FormFields.encode(fields))
    }

    func postJSON(_ path: String, _ json: String, method: HTTPRequest.Method = .post) async throws -> TestClient.Response {
        try await send(method, path, headers: [.contentType: "application/json"], body: json)
    }

    static func basic(_ id: String = demoClient, _ secret: String = demoSecret) -> HTTPFields {
        [.authorization: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()]
    }

    // MARK: The OAuth flow

    /// `/authorize`'s query for the demo client.
    static func authorizeQuery(
        client: String = demoClient, redirect: String = demoRedirect, state: String? = "state-1", challenge: String? = nil
    ) -> String {
        FormFields.encode([
            "client_id": client, "redirect_uri": redirect, "response_type": "code",
            "scope": "read", "state": state, "code_challenge": challenge,
        ])
    }

    /// Drives the browser through `/authorize` and page 1; returns page 2's pending sign-in.
    func startSignIn(
        _ user: String = demoUser, state: String? = "state-1", challenge: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let authorize = try await get("/security/v1/oauth/authorize?" + Self.authorizeQuery(state: state, challenge: challenge))
        #expect(authorize.status == .found, sourceLocation: sourceLocation)
        let signInURL = try #require(authorize.headers[.location].flatMap(URLComponents.init(string:)), sourceLocation: sourceLocation)
        let page1 = try await get(signInURL.path + "?" + (signInURL.percentEncodedQuery ?? ""))
        let fields = HTMLForm(page1.text).hiddenFields + [("username", user), ("agreement", "accepted"), ("action", "continue")]
        let page2 = try await send(
            .post, SignInRoutes.path, headers: [.contentType: "application/x-www-form-urlencoded"], body: HTMLForm.encode(fields))
        #expect(page2.status == .ok, sourceLocation: sourceLocation)
        return try #require(HTMLForm(page2.text).hiddenFields.first { $0.0 == "signin" }?.1, "page 2: \(page2.text)", sourceLocation: sourceLocation)
    }

    /// Drives the browser's whole part: `/authorize`, page 1, page 2. Returns the callback URL.
    func signIn(
        _ user: String = demoUser, password: String = demoPassword, state: String? = "state-1", challenge: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> URLComponents {
        let signInID = try await startSignIn(user, state: state, challenge: challenge, sourceLocation: sourceLocation)
        let done = try await postForm(SignInRoutes.passwordPath, ["signin": signInID, "password": password, "action": "login"])
        #expect(done.status == .found, "\(done.text)", sourceLocation: sourceLocation)
        return try #require(done.headers[.location].flatMap(URLComponents.init(string:)), sourceLocation: sourceLocation)
    }

    /// A fresh authorization code for the demo user.
    func code(challenge: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let callback = try await signIn(challenge: challenge, sourceLocation: sourceLocation)
        return try #require(callback.queryValue("code"), sourceLocation: sourceLocation)
    }

    func exchange(
        _ code: String, redirect: String = demoRedirect, verifier: String? = nil, headers: HTTPFields = basic(),
        extra: KeyValuePairs<String, String?> = [:]
    ) async throws -> TestClient.Response {
        var fields: [(String, String?)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier),
        ]
        fields += extra.map { ($0.key, $0.value) }
        return try await send(
            .post, TokenRoutes.tokenPath, headers: headers.merging([.contentType: "application/x-www-form-urlencoded"]), body: HTMLForm.encode(fields)
        )
    }

    func refresh(_ token: String, headers: HTTPFields = basic()) async throws -> TestClient.Response {
        try await postForm(TokenRoutes.refreshPath, ["grant_type": "refresh_token", "refresh_token": token], headers: headers)
    }

    /// A first token pair for the demo user.
    func tokens(sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: String] {
        let response = try await exchange(try await code(sourceLocation: sourceLocation))
        #expect(response.status == .ok, "\(response.text)", sourceLocation: sourceLocation)
        return try response.tokenFields()
    }

    func track(_ number: String = "1Z999AA10123456784", token: String?) async throws -> TestClient.Response {
        try await get("/api/track/v1/details/\(number)", headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:])
    }

    func counters() async throws -> [String: Int] {
        let response = try await get("/sandbox/counters")
        return try JSONDecoder().decode([String: Int].self, from: Data(response.text.utf8))
    }
}

extension TestClient.Response {
    var text: String { body.map { String(buffer: $0) } ?? "" }

    /// A token answer where every field is a JSON string (decoding fails on anything else).
    func tokenFields() throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    /// The first error of UPS's envelope: (code, message).
    var upsError: (code: String, message: String)? {
        struct Envelope: Decodable {
            struct Errors: Decodable { let errors: [Entry] }
            struct Entry: Decodable {
                let code: String
                let message: String
            }
            let response: Errors
        }
        guard let entry = (try? JSONDecoder().decode(Envelope.self, from: Data(text.utf8)))?.response.errors.first else { return nil }
        return (entry.code, entry.message)
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}

extension URLComponents {
    func queryValue(_ name: String) -> String? {
        queryItems?.first { $0.name == name }?.value
    }
}

/// Reads a sign-in page's form the way a browser would submit it.
struct HTMLForm {
    let hiddenFields: [(String, String?)]

    init(_ html: String) {
        let pattern = /<input type="hidden" name="([^"]*)" value="([^"]*)">/
        hiddenFields = html.matches(of: pattern).map { (Self.unescape(String($0.1)), Self.unescape(String($0.2))) }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func encode(_ fields: [(String, String?)]) -> String {
        fields.compactMap { name, value in
            value.map { FormFields.encode([name: $0]) }
        }.joined(separator: "&")
    }
}
