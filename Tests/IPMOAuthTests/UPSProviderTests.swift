import AsyncHTTPClient
import Foundation
import Hummingbird
import IPMDomain
import IPMOAuth
import Logging
import Synchronization
import Testing

/// The provider against a fake UPS on real sockets.
@Suite("UPS provider over HTTP")
struct UPSProviderTests {
    static let sentAt = Date(timeIntervalSince1970: 1_700_000_000)
    static let secret = Secret("s3cret:with spaces&more")

    static func configuration(
        _ baseURL: URL, pkce: Bool = true, connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5)
    ) -> UPSProviderConfiguration {
        UPSProviderConfiguration(
            baseURL: baseURL, clientID: "client-abc", clientSecret: secret,
            redirectURI: URL(string: "https://ipm.example/oauth/ups/callback")!, scope: "read write",
            usesPKCE: pkce, connectTimeout: connectTimeout, requestTimeout: requestTimeout
        )
    }

    /// A provider with a client of its own, shut down afterwards whatever happens.
    static func withProvider(_ configuration: UPSProviderConfiguration, _ body: (UPSProvider) async throws -> Void) async throws {
        let client = UPSProvider.makeHTTPClient(configuration: configuration)
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let result = await Result {
            try await body(UPSProvider(configuration: configuration, httpClient: client, clock: FixedClock(date: sentAt), logger: quiet))
        }
        try await client.shutdown()
        try result.get()
    }

    /// Runs the call against a fake UPS that answers `answer`, and returns its error.
    static func failure(
        answering answer: FakeAnswer, requestTimeout: Duration = .seconds(5),
        _ call: @escaping @Sendable (UPSProvider) async throws -> TokenGrant
    ) async throws -> AuthorizationServerError? {
        let box = Box()
        try await FakeUPS.run(answer: { _ in answer }) { baseURL, _ in
            try await withProvider(configuration(baseURL, requestTimeout: requestTimeout)) { provider in
                await box.set(await error { try await call(provider) })
            }
        }
        return await box.value
    }

    /// The call's error, which must be an `AuthorizationServerError`.
    static func error(of call: () async throws -> TokenGrant) async -> AuthorizationServerError? {
        do {
            _ = try await call()
            Issue.record("the call succeeded")
        } catch let error as AuthorizationServerError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    // MARK: Requests as UPS expects them

    @Test func exchangeWithAVerifierSendsClientIDAndVerifierAndNoBasicHeader() async throws {
        try await FakeUPS.run(answer: { _ in .json(.ok, FakeUPS.tokenJSON(access: "acc-1", refresh: "ref-1")) }) { baseURL, received in
            try await Self.withProvider(Self.configuration(baseURL)) { provider in
                let grant = try await provider.exchange(code: "code/+=1", codeVerifier: "verifier-abc")
                #expect(grant.accessToken == Secret("acc-1"))
                #expect(grant.refreshToken == Secret("ref-1"))
                #expect(grant.lifetimes.accessTokenExpiresAt == Self.sentAt.addingTimeInterval(14399))
                #expect(grant.lifetimes.refreshTokenExpiresAt == Self.sentAt.addingTimeInterval(5_183_999))
                #expect(grant.scope == "read")
            }
            let request = try #require(await received.all.first)
            #expect(request.method == "POST")
            #expect(request.path == "/security/v1/oauth/token")
            #expect(request.contentType == "application/x-www-form-urlencoded")
            #expect(request.accept == "application/json")
            // OAuthAuthCode.yaml: with PKCE "BASIC Authorization header should not be included,
            // just the client_id parameter in the body".
            #expect(request.authorization == nil)
            #expect(
                request.form == [
                    "grant_type": "authorization_code", "code": "code/+=1",
                    "redirect_uri": "https://ipm.example/oauth/ups/callback", "client_id": "client-abc", "code_verifier": "verifier-abc",
                ])
            #expect(request.body.hasPrefix("grant_type=authorization_code&code=code%2F%2B%3D1&redirect_uri=https%3A%2F%2Fipm.example"))
        }
    }

    @Test func exchangeWithoutAVerifierSendsBasicOnlyAsUPSsSDKsBuildIt() async throws {
        try await FakeUPS.run(answer: { _ in .json(.ok, FakeUPS.tokenJSON()) }) { baseURL, received in
            try await Self.withProvider(Self.configuration(baseURL, pkce: false)) { provider in
                _ = try await provider.exchange(code: "c", codeVerifier: nil)
            }
            let request = try #require(await received.all.first)
            // base64(client_id:client_secret), nothing encoded first: UPS's SDKs' way.
            #expect(request.authorization == "Basic \(Data("client-abc:s3cret:with spaces&more".utf8).base64EncodedString())")
            #expect(request.form == ["grant_type": "authorization_code", "code": "c", "redirect_uri": "https://ipm.example/oauth/ups/callback"])
        }
    }

    @Test func refreshAlwaysUsesBasicEvenWithPKCE() async throws {
        try await FakeUPS.run(answer: { _ in .json(.ok, FakeUPS.tokenJSON(access: "acc-2", refresh: "ref-2", expiresIn: "3599")) }) {
            baseURL, received in
            try await Self.withProvider(Self.configuration(baseURL, pkce: true)) { provider in
                let grant = try await provider.refresh(Secret("ref-1"))
                #expect(grant.refreshToken == Secret("ref-2"))
                #expect(grant.lifetimes.accessTokenExpiresAt == Self.sentAt.addingTimeInterval(3599))
            }
            let requests = await received.all
            #expect(requests.map(\.path) == ["/security/v1/oauth/refresh"])
            #expect(requests[0].form == ["grant_type": "refresh_token", "refresh_token": "ref-1"])
            #expect(requests[0].authorization == "Basic \(Data("client-abc:s3cret:with spaces&more".utf8).base64EncodedString())")
        }
    }

    // MARK: Answers UPS gives

    @Test func invalidClientIsMisconfigured() async throws {
        let error = try await Self.failure(answering: .json(.unauthorized, FakeUPS.envelope(code: "10401", message: "ClientId is Invalid"))) {
            try await $0.refresh(Secret("ref-1"))
        }
        #expect(error?.kind == .misconfigured)
        #expect(error?.code == "10401")
        #expect(error?.delivery == .answered)
    }

    @Test func aRefusedRefreshIsRefusedAndNeverEchoesTheToken() async throws {
        let token = Secret("refresh-token-0123456789")
        let error = try await Self.failure(answering: .json(.badRequest, FakeUPS.envelope(code: "10400", message: "Invalid token \(token.value)"))) {
            try await $0.refresh(token)
        }
        #expect(error?.kind == .refused)
        #expect(error?.code == "10400")
        #expect(error?.message.contains(token.value) == false)
        #expect(error?.message.contains("[redacted]") == true)
    }

    @Test func rateLimitingAndServerErrorsAreTransient() async throws {
        let limited = try await Self.failure(answering: .json(.tooManyRequests, FakeUPS.envelope(code: "10429", message: "Too Many Requests"))) {
            try await $0.refresh(Secret("ref-1"))
        }
        #expect(limited?.kind == .transient && limited?.delivery == .answered)
        let down = try await Self.failure(answering: FakeAnswer(status: .internalServerError, body: "<html>oops</html>", contentType: "text/html")) {
            try await $0.exchange(code: "c", codeVerifier: "v")
        }
        #expect(down?.kind == .transient)
        #expect(down?.message == "UPS token exchange failed on UPS's side (HTTP 500)")
    }

    @Test func aTokenResponseWithoutRefreshTokenIsATransientProtocolError() async throws {
        let error = try await Self.failure(answering: .json(.ok, #"{"access_token":"SECRET-A","expires_in":"14399"}"#)) {
            try await $0.refresh(Secret("ref-1"))
        }
        #expect(error?.kind == .transient)
        #expect(error?.message == "UPS token refresh got HTTP 200 but the token response is unusable: it has no refresh_token")
    }

    @Test func anAnswerLargerThanTheCapIsNotRead() async throws {
        let huge = #"{"access_token":""# + String(repeating: "a", count: 70 * 1024) + #""}"#
        let error = try await Self.failure(answering: .json(.ok, huge)) { try await $0.refresh(Secret("ref-1")) }
        #expect(error?.kind == .transient)
        #expect(error?.message == "UPS token refresh got HTTP 200 but the body is larger than 65536 bytes")
    }

    @Test func aMissingEndpointIsMisconfigured() async throws {
        try await FakeUPS.run(answer: { _ in .json(.ok, FakeUPS.tokenJSON()) }) { baseURL, _ in
            let wrongBase = baseURL.appendingPathComponent("not-ups")
            try await Self.withProvider(Self.configuration(wrongBase)) { provider in
                let error = await Self.error { try await provider.refresh(Secret("ref-1")) }
                #expect(error?.kind == .misconfigured)
                #expect(error?.message.contains("IPM_UPS_BASE_URL") == true)
            }
        }
    }

    @Test func redirectsAreNotFollowedButReportedAsMisconfiguration() async throws {
        // Followed, this 307 would repeat the POST, credentials included, at the target and succeed.
        try await FakeUPS.run(answer: { request in
            request.path == OAuthEndpoints.refresh
                ? FakeAnswer(status: .temporaryRedirect, location: OAuthEndpoints.token) : .json(.ok, FakeUPS.tokenJSON())
        }) { baseURL, received in
            try await Self.withProvider(Self.configuration(baseURL)) { provider in
                let error = await Self.error { try await provider.refresh(Secret("ref-1")) }
                #expect(error?.kind == .misconfigured)
            }
            #expect(await received.all.count == 1)
        }
    }

    // MARK: Transport failures

    @Test func aSlowAnswerEndsAtTheTotalTimeout() async throws {
        let gate = Gate()
        let clock = ContinuousClock()
        let elapsed = Mutex<Duration>(.zero)
        let error = try await Self.failure(answering: FakeAnswer(body: FakeUPS.tokenJSON(), holdHead: gate), requestTimeout: .milliseconds(300)) {
            provider in
            defer { Task { await gate.open() } }
            let start = clock.now
            defer { elapsed.withLock { $0 = clock.now - start } }
            return try await provider.refresh(Secret("ref-1"))
        }
        // The answer is held until the call returns: only the timeout can end it. The bound
        // is loose on purpose (2 shared cores); what matters is that it ends at all.
        #expect(elapsed.withLock { $0 } < .seconds(10))
        #expect(error?.kind == .transient)
        #expect(error?.delivery == .unknown)
        #expect(error?.message == "UPS token refresh failed: UPS did not answer within 0.3 s")
    }

    @Test func aBodyThatStallsAfterTheHeadAlsoEndsAtTheTotalTimeout() async throws {
        let gate = Gate()
        let error = try await Self.failure(answering: FakeAnswer(body: FakeUPS.tokenJSON(), holdBody: gate), requestTimeout: .milliseconds(300)) {
            provider in
            defer { Task { await gate.open() } }
            return try await provider.refresh(Secret("ref-1"))
        }
        #expect(error?.kind == .transient)
        #expect(error?.delivery == .unknown)
    }

    @Test func aConnectionClosedWithoutAnswerIsTransientAndAmbiguous() async throws {
        let server = try await HangUpServer.start()
        let result = await Result { () async throws -> AuthorizationServerError? in
            var error: AuthorizationServerError?
            try await Self.withProvider(Self.configuration(URL(string: "http://127.0.0.1:\(server.port)")!)) { provider in
                error = await Self.error { try await provider.refresh(Secret("ref-1")) }
            }
            return error
        }
        try await server.stop()
        let error = try result.get()
        #expect(error?.kind == .transient)
        #expect(error?.delivery == .unknown)
        #expect(error?.message == "UPS token refresh failed: UPS closed the connection before answering")
    }

    @Test func aRefusedConnectionIsTransientAndNothingWasSent() async throws {
        let port = try await HangUpServer.closedPort()
        let configuration = Self.configuration(URL(string: "http://127.0.0.1:\(port)")!, connectTimeout: .milliseconds(300))
        try await Self.withProvider(configuration) { provider in
            let error = await Self.error { try await provider.refresh(Secret("ref-1")) }
            #expect(error?.kind == .transient)
            #expect(error?.delivery == .notSent)
            #expect(error?.message == "UPS token refresh failed: could not connect to UPS (connection refused); nothing was sent")
        }
    }
}

/// Carries a value out of a `@Sendable` closure.
actor Box {
    private(set) var value: AuthorizationServerError?
    func set(_ value: AuthorizationServerError?) { self.value = value }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
