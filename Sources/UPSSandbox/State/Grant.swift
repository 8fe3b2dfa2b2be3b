import Foundation

/// One opt-in: what a redeemed authorization code started. Every token descends from one
/// grant, and voiding the grant (refresh-token reuse, code reuse, password change) voids
/// them all, as a rotating-token server does.
struct Grant {
    let id: Int
    let clientID: String
    let username: String
    let scope: String
    /// Redeemed with `client_id` + PKCE verifier instead of the client secret.
    let isPublicClient: Bool
    var refreshCount = 0
    var voided = false
    /// No refresh token of the grant lives past this (`Lifetimes.grantSeconds`).
    var endsAt: Date?
}

struct AccessTokenRecord {
    let grantID: Int
    let expiresAt: Date
}

struct RefreshTokenRecord {
    let grantID: Int
    let expiresAt: Date
    /// Set when it was exchanged: refresh tokens are single-use.
    var consumed = false
}

/// An issued authorization code: single use, short-lived, bound to client, redirect URI,
/// user and PKCE challenge.
struct AuthorizationCodeRecord {
    let request: AuthorizationRequest
    let username: String
    let expiresAt: Date
    /// The grant it started, once redeemed.
    var grantID: Int?
}

/// A UPS.com user between the two sign-in pages: the email or username was accepted and the
/// agreement ticked; the password is still to come.
struct PendingSignIn {
    let request: AuthorizationRequest
    let username: String
    let displayName: String
    let expiresAt: Date
}
