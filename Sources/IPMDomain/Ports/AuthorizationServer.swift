public import Foundation

/// The OAuth 2.0 authorization server (UPS) as the domain needs it. `IPMOAuth` implements it.
public protocol AuthorizationServer: Sendable {
    /// Where to send the browser to start an opt-in.
    func authorizationURL(state: String, codeChallenge: String?) throws -> URL
    /// Exchanges the code from the callback for a token pair.
    func exchange(code: String, codeVerifier: String?) async throws(AuthorizationServerError) -> TokenGrant
    /// Uses a refresh token (single use) for a new pair.
    func refresh(_ refreshToken: Secret) async throws(AuthorizationServerError) -> TokenGrant
}

/// A token pair as issued, with the lifetimes read from the response.
public struct TokenGrant: Sendable {
    public let accessToken: Secret
    public let refreshToken: Secret
    public let lifetimes: TokenLifetimes
    public let scope: String?

    public init(accessToken: Secret, refreshToken: Secret, lifetimes: TokenLifetimes, scope: String?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.lifetimes = lifetimes
        self.scope = scope
    }
}

/// How an authorization server call failed, classified for the engine's decisions.
public struct AuthorizationServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 5xx, 429, timeouts, connection errors: try again later; the connection stays as it is.
        case transient
        /// A definitive 4xx refusal of the grant: the opt-in is dead.
        case refused
        /// Our own client configuration is wrong (invalid client): nothing about the company changes.
        case misconfigured
        /// UPS blocked the merchant (403 "Blocked Merchant"): not a refusal of the grant, and
        /// opting in again cannot fix it. The tokens are kept and the call is tried again slowly.
        case blocked
    }

    /// How far the request got, so a caller knows whether a single-use token may be spent.
    public enum Delivery: Sendable, Equatable {
        /// Failed before the request left this process (no connection was made): the
        /// server never saw it, so a refresh token or code sent with it is still unused.
        case notSent
        /// The request may or may not have reached the server (timeout, connection lost).
        case unknown
        /// The server answered; `kind` says how.
        case answered
    }

    public let kind: Kind
    /// UPS's error code, e.g. "10401", when the response carried one.
    public let code: String?
    /// A safe summary: never a token.
    public let message: String
    public let delivery: Delivery

    public init(_ kind: Kind, code: String? = nil, message: String, delivery: Delivery = .unknown) {
        self.kind = kind
        self.code = code
        self.message = message
        self.delivery = delivery
    }

    public var description: String {
        if let code { return "\(message) (UPS code \(code))" }
        return message
    }
}
