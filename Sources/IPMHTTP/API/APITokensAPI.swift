import Foundation
import HTTPTypes
import Hummingbird
import IPMAPIModels
import IPMDomain

/// The caller's personal API tokens through the API, as under Manage → API tokens: list them
/// (with expiry and last use), make one (shown once; lifetime up to `IPM_API_TOKEN_MAX_DAYS`),
/// revoke one.
struct APITokensAPI: Sendable {
    let apiTokens: APITokenService

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/api-tokens") { _, context -> Response in
            let caller = try context.requireAdmin()
            let tokens = try await apiTokens.list(for: caller.admin)
            let lifetimes = apiTokens.lifetimes
            return try .json(
                APITokenListJSON(tokens: tokens.map(APITokenJSON.init), defaultDays: lifetimes.defaultDays, maxDays: lifetimes.maximumDays))
        }

        group.post("/api-tokens") { request, context -> Response in
            let caller = try context.requireAdmin()
            let body = try await JSONBody.decode(NewAPITokenJSON.self, request, context: context)
            let maximum = apiTokens.lifetimes.maximumDays
            if let days = body.days, !(1...maximum).contains(days) {
                throw HTTPRefusal.badRequest("days must be a whole number from 1 to \(maximum) (IPM_API_TOKEN_MAX_DAYS).")
            }
            let issued = try await apiTokens.create(named: body.name, days: body.days, for: caller.admin)
            return try .json(IssuedAPITokenJSON(token: issued.secret.value, apiToken: APITokenJSON(issued.token)), status: .created)
        }

        group.delete("/api-tokens/:token") { _, context -> Response in
            let caller = try context.requireAdmin()
            let noSuchToken = HTTPRefusal(.notFound, title: "Not found", "You have no such API token.")
            guard let id = context.parameters.get("token").flatMap({ APITokenID($0) }) else { throw noSuchToken }
            do {
                try await apiTokens.revoke(id, by: caller.admin)
            } catch let error as DomainError where error.isNotFound {
                throw noSuchToken
            }
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }
}
