import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import NIOCore
import NIOHTTP1
import Synchronization
import UPSSandboxBrowser

/// Talks to the sandbox without IPM in between: its admin counters, and a raw client of
/// `/security/v1/oauth/refresh` that chains each grant's single-use refresh tokens.
struct SandboxRefreshClient: Sendable {
    let baseURL: URL
    let clientID: String
    let clientSecret: String
    let client: HTTPClient

    init(baseURL: URL, clientID: String, clientSecret: String, connections: Int) {
        self.baseURL = baseURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connections))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    private func url(_ path: String) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// `GET /sandbox/counters`.
    func counters() async throws -> [String: Int] {
        let response = try await client.execute(HTTPClientRequest(url: url("/sandbox/counters")), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchFailure("GET /sandbox/counters answered HTTP \(response.status.code)") }
        return try JSONDecoder().decode([String: Int].self, from: Data(body.readableBytesView))
    }

    /// `POST /sandbox/counters/reset`: every counter back to zero (the in-flight peak too); the zeros.
    func resetCounters() async throws -> [String: Int] {
        var request = HTTPClientRequest(url: url("/sandbox/counters/reset"))
        request.method = .POST
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchFailure("POST /sandbox/counters/reset answered HTTP \(response.status.code)") }
        return try JSONDecoder().decode([String: Int].self, from: Data(body.readableBytesView))
    }

    /// The latency the sandbox injects into `/refresh` now (`GET /sandbox/faults`), 0 for none.
    func refreshLatencyMilliseconds() async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: url("/sandbox/faults")), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchFailure("GET /sandbox/faults answered HTTP \(response.status.code)") }
        let faults = try JSONDecoder().decode(FaultsAnswer.self, from: Data(body.readableBytesView)).faults
        return faults.endpoints.contains("refresh") ? faults.latencyMilliseconds : 0
    }

    private struct FaultsAnswer: Decodable {
        struct Faults: Decodable {
            let latencyMilliseconds: Int
            let endpoints: [String]
        }
        let faults: Faults
    }

    /// A fresh grant of the sandbox user, obtained as a browser and IPM's provider would
    /// (not timed): authorize, sign in, exchange the code.
    func freshGrant(provider: UPSProvider, browser: UPSSignInDriver, username: String, password: String) async throws -> Secret {
        let verifier = PKCE.makeVerifier(using: SystemRandomSource())
        // PKCE as IPM_UPS_PKCE says: a verifier without a challenge is a public client's
        // exchange of a confidential client's code, which UPS refuses.
        let pkce = provider.configuration.usesPKCE
        let authorization = try provider.authorizationURL(
            state: "bench-\(UUID().uuidString)", codeChallenge: pkce ? PKCE.challenge(for: verifier) : nil)
        let redirected = try await browser.signIn(authorizationURL: authorization, username: username, password: password)
        guard let code = OptInCallback(redirectedURL: redirected).code else {
            throw BenchFailure("the sandbox sign-in brought back no code: \(redirected.query ?? "")")
        }
        return try await provider.exchange(code: code, codeVerifier: pkce ? verifier.value : nil).refreshToken
    }

    /// Presents `refreshToken` once; the rotated refresh token it answers with.
    func refresh(_ refreshToken: String) async throws -> String {
        var request = HTTPClientRequest(url: url("/security/v1/oauth/refresh"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString())
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        request.body = .bytes(
            ByteBuffer(string: "grant_type=refresh_token&refresh_token=\(refreshToken.addingPercentEncoding(withAllowedCharacters: allowed)!)"))
        let response = try await client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            throw BenchFailure("the sandbox refused a raw refresh: HTTP \(response.status.code)")
        }
        return try JSONDecoder().decode(RotatedPair.self, from: Data(body.readableBytesView)).refreshToken
    }

    /// `total` refreshes over `grants.count` chains in parallel (one chain per grant, each
    /// token presented once); the seconds they took.
    func chainedRefreshes(total: Int, grants: [Secret]) async throws -> Double {
        let remaining = Countdown(total)
        let (_, seconds) = try await timed {
            try await forEachConcurrently(grants.count, width: grants.count) { chain in
                var token = grants[chain].value
                while remaining.take() {
                    token = try await refresh(token)
                }
            }
        }
        return seconds
    }

    private struct RotatedPair: Decodable {
        let refreshToken: String

        enum CodingKeys: String, CodingKey {
            case refreshToken = "refresh_token"
        }
    }
}

/// Hands out `count` turns to whoever asks first.
final class Countdown: Sendable {
    private let remaining: Atomic<Int>

    init(_ count: Int) {
        remaining = Atomic(count)
    }

    /// Whether a turn was left.
    func take() -> Bool {
        remaining.subtract(1, ordering: .relaxed).oldValue > 0
    }
}
