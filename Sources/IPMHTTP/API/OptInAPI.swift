import Foundation
import Hummingbird
import IPMAPIModels
import IPMDomain

/// The opt-in through the API: start one (the browser goes to the answer's address), and
/// the `--paste` way to finish it.
struct OptInAPI: Sendable {
    let optIn: any UPSOptInFlow
    let access: CompanyAccess
    let publicURL: URL

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        // The flow decides who may opt in (DECISIONS.md 53).
        group.post("/companies/:id/opt-in") { _, context -> Response in
            let caller = try context.requireAdmin()
            let start = try await optIn.start(try context.companyReference(), by: caller.admin, session: caller.optInBinding)
            return try .json(OptInStartJSON(authorizationURL: start.authorizationURL.absoluteString, expiresAt: start.expiresAt), status: .created)
        }

        // The address the browser was sent back to, checked against the caller's own opt-in.
        group.post("/oauth/complete") { request, context -> Response in
            let caller = try context.requireAdmin()
            let body = try await JSONBody.decode(PasteJSON.self, request, context: context)
            guard let url = URL(string: body.redirectedURL), url.query != nil else {
                throw HTTPRefusal.badRequest("redirectedURL must be the full address the browser was sent back to")
            }
            do {
                let completion = try await optIn.complete(OptInCallback(redirectedURL: url), session: caller.optInBinding)
                let overview = try await access.company(.id(completion.company.id), for: caller.admin)
                return try .json(CompanyJSON(overview, publicURL: publicURL))
            } catch let failure as OptInFailure {
                throw HTTPRefusal.badRequest(failure.description)
            }
        }
    }
}
