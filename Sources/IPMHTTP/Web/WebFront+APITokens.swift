import Foundation
import Hummingbird
import IPMDomain

extension WebFront {
    /// Manage → API tokens: create (shown once), list, revoke.
    func registerAPITokens(on router: Router<WebRequestContext>) {
        router.get("/settings/api-tokens") { request, _ -> Response in
            try await withAdmin(request) { signedIn in
                try await apiTokensPage(signedIn, created: nil, error: nil)
            }
        }

        router.post("/settings/api-tokens") { request, context -> Response in
            try await withAdmin(request, returnTo: "/settings/api-tokens") { signedIn in
                guard let form = try await postedForm(request, context: context, by: signedIn) else {
                    return formExpired(signedIn, back: "/settings/api-tokens")
                }
                do {
                    let issued = try await apiTokens.create(named: form["name"] ?? "", for: signedIn.admin)
                    return try await apiTokensPage(signedIn, created: issued, error: nil, status: .created)
                } catch let error as DomainError where error.isInvalidInput {
                    return try await apiTokensPage(signedIn, created: nil, error: "Token " + error.description + ".", status: .badRequest)
                }
            }
        }

        router.post("/settings/api-tokens/:token/revoke") { request, context -> Response in
            try await withAdmin(request, returnTo: "/settings/api-tokens") { signedIn in
                guard try await postedForm(request, context: context, by: signedIn) != nil else {
                    return formExpired(signedIn, back: "/settings/api-tokens")
                }
                guard let id = context.parameters.get("token").flatMap({ APITokenID($0) }) else { return notFound(signedIn) }
                try await apiTokens.revoke(id, by: signedIn.admin)
                return Self.redirect("/settings/api-tokens")
            }
        }
    }

    private func apiTokensPage(_ signedIn: SignedIn, created: IssuedAPIToken?, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let tokens = try await apiTokens.list(for: signedIn.admin)
        var values: [String: Any] = [
            "csrf": signedIn.csrf, "hasTokens": !tokens.isEmpty,
            "tokens": tokens.map { token -> [String: Any] in
                ["id": token.id.description, "name": token.name, "created": Self.display(token.createdAt),
                 "lastUsed": token.lastUsedAt.map(Self.display) ?? "never", "csrf": signedIn.csrf]
            },
        ]
        if let created { values["created"] = ["name": created.token.name, "secret": created.secret.value] }
        values["error"] = error
        return pages.render("apiTokens", title: "API tokens", values, signedIn: signedIn, status: status)
    }
}
