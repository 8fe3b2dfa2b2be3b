import Foundation
import Hummingbird
import IPMDomain

/// Manage → API tokens: create (shown once), list, revoke.
struct APITokenPages: Sendable {
    let apiTokens: APITokenService
    let pages: Pages

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/settings/api-tokens") { _, context -> Response in
            try await apiTokensPage(try context.requireAdmin(), created: nil, error: nil)
        }

        group.post("/settings/api-tokens") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            guard let form = try await PostedForm.read(request, context: context, by: signedIn) else {
                return pages.formExpired(signedIn, back: "/settings/api-tokens")
            }
            do {
                let days = try Self.tokenDays(form["days"], maximum: apiTokens.lifetimes.maximumDays)
                let issued = try await apiTokens.create(named: form["name"] ?? "", days: days, for: signedIn.admin)
                return try await apiTokensPage(signedIn, created: issued, error: nil, status: .created)
            } catch let error as DomainError where error.isInvalidInput {
                return try await apiTokensPage(signedIn, created: nil, error: "Token " + error.description + ".", status: .badRequest)
            }
        }

        group.post("/settings/api-tokens/:token/revoke") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            guard try await PostedForm.read(request, context: context, by: signedIn) != nil else {
                return pages.formExpired(signedIn, back: "/settings/api-tokens")
            }
            guard let id = context.parameters.get("token").flatMap({ APITokenID($0) }) else { throw HTTPRefusal.notFound }
            try await apiTokens.revoke(id, by: signedIn.admin)
            return .redirect("/settings/api-tokens")
        }
    }

    private func apiTokensPage(
        _ signedIn: AuthenticatedAdmin, created: IssuedAPIToken?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let tokens = try await apiTokens.list(for: signedIn.admin)
        let now = Date()
        var values: [String: Any] = [
            "csrf": signedIn.csrf, "hasTokens": !tokens.isEmpty,
            "maxDays": apiTokens.lifetimes.maximumDays, "defaultDays": apiTokens.lifetimes.defaultDays,
            "tokens": tokens.map { token -> [String: Any] in
                [
                    "id": token.id.description, "name": token.name, "created": Pages.display(token.createdAt),
                    "expires": Pages.display(token.expiresAt), "expired": token.isExpired(at: now),
                    "lastUsed": token.lastUsedAt.map(Pages.display) ?? "never", "csrf": signedIn.csrf,
                ]
            },
        ]
        if let created {
            values["created"] = ["name": created.token.name, "secret": created.secret.value, "expires": Pages.display(created.token.expiresAt)]
        }
        values["error"] = error
        return pages.render("apiTokens", title: "API tokens", values, signedIn: signedIn, status: status)
    }

    /// The lifetime a form asked for: `nil` (absent or empty) takes the default.
    static func tokenDays(_ text: String?, maximum: Int) throws(DomainError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let days = Int(text), (1...maximum).contains(days) else {
            throw DomainError.invalidInput(field: "lifetime", "must be a whole number of days from 1 to \(maximum)")
        }
        return days
    }
}
