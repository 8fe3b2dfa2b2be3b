import Foundation

/// `GET /api/v1/companies/{id}/ups/access-token`: OAuth's own field names.
struct AccessTokenJSON: Encodable, Sendable {
    let accessToken: String
    let tokenType = "Bearer"
    let expiresAt: Date
    /// Whole seconds from now.
    let expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresAt = "expires_at"
        case expiresIn = "expires_in"
    }
}
