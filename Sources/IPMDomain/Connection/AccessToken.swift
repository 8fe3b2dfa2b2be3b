public import Foundation

/// A company's valid UPS access token, as the token API hands it out.
public struct IssuedAccessToken: Sendable, Hashable {
    public let token: Secret
    public let expiresAt: Date

    public init(token: Secret, expiresAt: Date) {
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// Why no access token can be handed out.
public enum AccessTokenFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The company holds no tokens (never opted in, opted out, or re-authorization required).
    case notAuthenticated(ConnectionStatus, reason: String?)
    /// The token expired and could not be renewed just now (UPS failing, or backing off).
    case unavailable(String)
    /// UPS refused IPM's own client credentials: an operator must fix IPM_UPS_CLIENT_ID/SECRET.
    case misconfigured(String)
    /// UPS blocks the merchant (403 "Blocked Merchant"); IPM tries again at `retryAt`.
    case blocked(reason: String, retryAt: Date?)

    public var description: String {
        switch self {
        case .notAuthenticated(let status, let reason):
            "The company is not authenticated with UPS (\(status))\(reason.map { ": \($0)" } ?? ".")"
        case .unavailable(let reason):
            "No valid UPS access token is available right now: \(reason)"
        case .misconfigured(let reason):
            "UPS refused IPM's client credentials, so no access token can be issued: \(reason)"
        case .blocked(let reason, let retryAt):
            "UPS has blocked this merchant, so no access token is handed out: \(reason). Opting in again does not help; IPM keeps the tokens and tries UPS again\(retryAt.map { " at \($0.formatted(.iso8601))" } ?? " later")."
        }
    }
}

/// Hands valid UPS access tokens to the deployment's other services. `IPMOAuth` implements it.
public protocol UPSAccessTokenProviding: Sendable {
    /// The company's access token, refreshed first (under the company's lock) when it is
    /// within the refresh margin. Throws `AccessTokenFailure` or an infrastructure error.
    func accessToken(for company: CompanyID) async throws -> IssuedAccessToken
    /// A new access token after UPS refused `rejected` (401): refreshed under the company's
    /// lock only when `rejected` is still the stored one; otherwise the token another caller
    /// stored meanwhile. A token issued within the last short window is not renewed again but
    /// returned as it is, so a run of 401s costs at most one refresh per window. Throws
    /// `AccessTokenFailure` or an infrastructure error.
    func accessToken(for company: CompanyID, replacing rejected: Secret) async throws -> IssuedAccessToken
}
