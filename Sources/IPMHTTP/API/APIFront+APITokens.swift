import Foundation
import HTTPTypes
import Hummingbird
import IPMDomain

/// The caller's personal API tokens through the API, as under Manage → API tokens: list them
/// (with expiry and last use), make one (shown once; lifetime up to `IPM_API_TOKEN_MAX_DAYS`),
/// revoke one.
extension APIFront {
    func registerPersonalTokens(on api: RouterGroup<WebRequestContext>) {
        api.get("/api-tokens") { request, _ in
            try await withCaller(request, changes: false) { caller in
                let tokens = try await web.apiTokens.list(for: caller.admin)
                let lifetimes = web.apiTokens.lifetimes
                return try json(APITokenListJSON(
                    tokens: tokens.map(APITokenJSON.init), defaultDays: lifetimes.defaultDays, maxDays: lifetimes.maximumDays
                ))
            }
        }
        api.post("/api-tokens") { request, context in
            try await withCaller(request, changes: true) { caller in
                let body: NewAPITokenJSON
                switch try await JSONBody.decode(NewAPITokenJSON.self, request, context: context) {
                case .success(let value): body = value
                case .failure(let problem): return problem.response
                }
                let maximum = web.apiTokens.lifetimes.maximumDays
                if let days = body.days, !(1...maximum).contains(days) {
                    return Problem(.badRequest, "days must be a whole number from 1 to \(maximum) (IPM_API_TOKEN_MAX_DAYS).").response
                }
                do {
                    let issued = try await web.apiTokens.create(named: body.name, days: body.days, for: caller.admin)
                    return try json(IssuedAPITokenJSON(token: issued.secret.value, apiToken: APITokenJSON(issued.token)), status: .created)
                } catch let error as DomainError where error.isInvalidInput {
                    return Problem(.badRequest, error.description.capitalizedFirst + ".").response
                }
            }
        }
        api.delete("/api-tokens/:token") { request, context in
            try await withCaller(request, changes: true) { caller in
                guard let id = context.parameters.get("token").flatMap({ APITokenID($0) }) else {
                    return Problem(.notFound, "You have no such API token.").response
                }
                do {
                    try await web.apiTokens.revoke(id, by: caller.admin)
                } catch let error as DomainError where error.isNotFound {
                    return Problem(.notFound, "You have no such API token.").response
                }
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            }
        }
    }
}

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
