import Foundation
import HTTPTypes
import Hummingbird
import IPMDomain

/// `POST /api/v1/api-tokens`.
struct NewAPITokenJSON: Decodable {
    let name: String
    /// Days until it expires; absent: `IPM_API_TOKEN_DAYS`.
    let days: Int?
}

struct APITokenJSON: Encodable, Sendable {
    let id: String
    let name: String
    let createdAt: Date
    let expiresAt: Date
    let lastUsedAt: Date?
    let expired: Bool

    init(_ token: APIToken) {
        id = token.id.description
        name = token.name
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        expired = token.isExpired(at: Date())
    }
}

struct APITokenListJSON: Encodable, Sendable {
    let tokens: [APITokenJSON]
    let defaultDays: Int
    let maxDays: Int
}

struct IssuedAPITokenJSON: Encodable, Sendable {
    /// The secret, shown once.
    let token: String
    let apiToken: APITokenJSON
}
