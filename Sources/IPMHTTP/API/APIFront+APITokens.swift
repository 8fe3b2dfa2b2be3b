import Foundation
import HTTPTypes
import Hummingbird
import IPMAPIModels
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
