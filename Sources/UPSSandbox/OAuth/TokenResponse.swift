import Foundation

/// The token answer of `/token` and `/refresh` in UPS's shape: every field a JSON string,
/// numbers included; times in epoch milliseconds, lifetimes in seconds.
struct TokenResponse: Encodable {
    let tokenType = "Bearer"
    let issuedAt: String
    let clientID: String
    let accessToken: String
    let refreshToken: String
    /// Left out when `TokenResponseFields.includesScope` is off.
    let scope: String?
    let expiresIn: String
    /// Left out when `TokenResponseFields.includesRefreshCount` is off.
    let refreshCount: String?
    let refreshTokenExpiresIn: String
    let refreshTokenIssuedAt: String
    let refreshTokenStatus = "approved"
    let status = "approved"

    init(_ issued: IssuedTokens) {
        let milliseconds = String(Int64((issued.issuedAt.timeIntervalSince1970 * 1000).rounded(.down)))
        issuedAt = milliseconds
        clientID = issued.clientID
        accessToken = issued.accessToken
        refreshToken = issued.refreshToken
        scope = issued.fields.includesScope ? issued.scope : nil
        expiresIn = String(issued.lifetimes.accessTokenSeconds)
        refreshCount = issued.fields.includesRefreshCount ? String(issued.refreshCount) : nil
        refreshTokenExpiresIn = String(issued.lifetimes.refreshTokenSeconds)
        refreshTokenIssuedAt = milliseconds
    }

    enum CodingKeys: String, CodingKey {
        case tokenType = "token_type"
        case issuedAt = "issued_at"
        case clientID = "client_id"
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case scope
        case expiresIn = "expires_in"
        case refreshCount = "refresh_count"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
        case refreshTokenIssuedAt = "refresh_token_issued_at"
        case refreshTokenStatus = "refresh_token_status"
        case status
    }
}
