public import AsyncHTTPClient
public import Foundation
public import IPMDomain
public import Logging
import NIOCore
import NIOHTTP1

/// UPS's OAuth 2.0 authorization server over HTTP (UPS-OAUTH.md): builds the authorize URL,
/// exchanges codes and refreshes tokens, and classifies every failure for the engine.
///
/// The `HTTPClient` is shared and owned by the caller, who shuts it down.
public struct UPSProvider: AuthorizationServer {
    public let configuration: UPSProviderConfiguration
    private let httpClient: HTTPClient
    private let clock: any IPMDomain.Clock
    private let logger: Logger

    public init(
        configuration: UPSProviderConfiguration, httpClient: HTTPClient, clock: any IPMDomain.Clock = SystemClock(),
        logger: Logger = Logger(label: "ipm.oauth.ups")
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.clock = clock
        self.logger = logger
    }

    /// `{base}/security/v1/oauth/authorize?client_id&redirect_uri&response_type=code&scope&state`,
    /// plus `code_challenge` and `code_challenge_method=S256` when PKCE is on.
    public func authorizationURL(state: String, codeChallenge: String?) throws -> URL {
        var query = [
            ("client_id", configuration.clientID),
            ("redirect_uri", configuration.redirectURI.absoluteString),
            ("response_type", "code"),
            ("scope", configuration.scope),
            ("state", state),
        ]
        if configuration.usesPKCE {
            // Without it the opt-in would silently run weaker than IPM_UPS_PKCE says.
            guard let codeChallenge else {
                throw AuthorizationServerError(
                    .misconfigured, message: "PKCE is on (IPM_UPS_PKCE) but no code challenge was given", delivery: .notSent)
            }
            query += [("code_challenge", codeChallenge), ("code_challenge_method", PKCE.method)]
        }
        guard let url = URL(string: configuration.url(OAuthEndpoints.authorize) + "?" + FormEncoding.query(query)) else {
            throw AuthorizationServerError(
                .misconfigured, message: "the UPS authorize URL cannot be built; check IPM_UPS_BASE_URL", delivery: .notSent)
        }
        return url
    }

    /// The code exchange in exactly one of the two forms UPS documents (UPS-OAUTH.md §3): with
    /// a verifier (the authorize request carried its challenge) `client_id` and `code_verifier`
    /// in the body and no Authorization header; without one, HTTP Basic and neither.
    public func exchange(code: String, codeVerifier: String?) async throws(AuthorizationServerError) -> TokenGrant {
        var form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", configuration.redirectURI.absoluteString),
        ]
        guard let codeVerifier else {
            return try await requestTokens(.exchange, form: form, authorization: basicAuthorization, secrets: [Secret(code)])
        }
        // The verifier decides, not today's IPM_UPS_PKCE: it exists only when the challenge went
        // to /authorize, and a code bound to a challenge is redeemed only with its verifier.
        form += [("client_id", configuration.clientID), ("code_verifier", codeVerifier)]
        return try await requestTokens(.exchange, form: form, authorization: nil, secrets: [Secret(code), Secret(codeVerifier)])
    }

    /// Always HTTP Basic, with or without PKCE (`OAuthAuthCode.yaml`).
    public func refresh(_ refreshToken: Secret) async throws(AuthorizationServerError) -> TokenGrant {
        try await requestTokens(
            .refresh, form: [("grant_type", "refresh_token"), ("refresh_token", refreshToken.value)], authorization: basicAuthorization,
            secrets: [refreshToken]
        )
    }

    private var basicAuthorization: String {
        FormEncoding.basicAuthorization(user: configuration.clientID, password: configuration.clientSecret.value)
    }

    /// One POST to the token service. `secrets` are the values the form carries, kept out of messages.
    private func requestTokens(
        _ operation: UPSTokenOperation, form: [(String, String)], authorization: String?, secrets: [Secret]
    ) async throws(AuthorizationServerError) -> TokenGrant {
        var request = HTTPClientRequest(url: configuration.url(operation.path))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: FormEncoding.form(form)))

        let sentAt = clock.now()
        let answer: BoundedExchange.Answer
        do {
            answer = try await send(request)
        } catch {
            throw failure(UPSErrorClassifier.classify(transportError: error, operation: operation, timeout: configuration.requestTimeout), operation)
        }
        guard (200...299).contains(answer.status) else {
            throw failure(
                UPSErrorClassifier.classify(
                    status: answer.status, body: answer.body ?? [], operation: operation, redacting: secrets + [configuration.clientSecret]),
                operation
            )
        }
        guard let body = answer.body else {
            throw failure(
                UPSErrorClassifier.unusableTokenResponse(
                    status: answer.status, reason: "the body is larger than \(configuration.maxResponseBytes) bytes", operation: operation), operation
            )
        }
        do {
            let grant = try UPSTokenResponse.decode(body).grant(sentAt: sentAt)
            logger.debug(
                "UPS issued tokens", metadata: ["operation": "\(operation.rawValue)", "access_expires_at": "\(grant.lifetimes.accessTokenExpiresAt)"])
            return grant
        } catch {
            throw failure(UPSErrorClassifier.unusableTokenResponse(status: answer.status, reason: error.description, operation: operation), operation)
        }
    }

    /// Sends and reads the whole answer within `requestTimeout`.
    private func send(_ request: HTTPClientRequest) async throws -> BoundedExchange.Answer {
        try await BoundedExchange.send(request, on: httpClient, timeout: configuration.requestTimeout, cap: configuration.maxResponseBytes)
    }

    private func failure(_ error: AuthorizationServerError, _ operation: UPSTokenOperation) -> AuthorizationServerError {
        logger.notice(
            "UPS token call failed",
            metadata: [
                "operation": "\(operation.rawValue)", "kind": "\(error.kind)", "delivery": "\(error.delivery)", "error": "\(error)",
            ])
        return error
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
