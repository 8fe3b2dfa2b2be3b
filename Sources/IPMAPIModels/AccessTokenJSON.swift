public import Foundation

/// `GET /api/v1/companies/{id}/ups/access-token`: OAuth's own field names.
public struct AccessTokenJSON: Codable, Sendable, Hashable {
    public let accessToken: String
    public let tokenType: String
    public let expiresAt: Date
    /// Whole seconds from now.
    public let expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresAt = "expires_at"
        case expiresIn = "expires_in"
    }

    public init(accessToken: String, tokenType: String = "Bearer", expiresAt: Date, expiresIn: Int) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresAt = expiresAt
        self.expiresIn = expiresIn
    }
}

/// A forced refresh that renewed the tokens (`POST /api/v1/companies/{id}/ups/refresh`).
public struct ForcedRefreshJSON: Codable, Sendable, Hashable {
    public let outcome: String
    public let detail: String
    public let accessTokenExpiresAt: Date?
    public let company: CompanyJSON

    public init(outcome: String, detail: String, accessTokenExpiresAt: Date?, company: CompanyJSON) {
        self.outcome = outcome
        self.detail = detail
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.company = company
    }
}
