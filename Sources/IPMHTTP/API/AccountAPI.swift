import Foundation
import HTTPTypes
import Hummingbird
import IPMAPIModels
import IPMDomain

/// The caller's own account through the API, what `ipm --server` needs besides companies:
/// a terminal sign-in (a session of kind `cli`, throttled like the web's sign-in), sign-out
/// and who the caller is.
struct AccountAPI: Sendable {
    let sessions: SessionService
    let publicURL: URL

    /// Signing in on `signIn` (anyone), the rest on `account` (behind the admin authenticators).
    func addRoutes(signIn: RouterGroup<WebRequestContext>, account: RouterGroup<WebRequestContext>) {
        signIn.post("/sessions") { request, context -> Response in
            let body = try await JSONBody.decode(SignInJSON.self, request, context: context)
            do {
                let issued = try await sessions.signIn(
                    body.signInName, password: Password(unchecked: body.password), clientAddress: context.clientAddress, kind: .cli
                )
                return try .json(
                    NewSessionJSON(token: issued.token.value, admin: AccountJSON(issued.admin), session: SessionJSON(issued.session)),
                    status: .created
                )
            } catch let failure as SignInFailure {
                // The web's words, which never say whether the name exists.
                switch failure {
                case .invalidCredentials: return Problem(.unauthorized, failure.description).response
                case .throttled, .busy:
                    var response = Problem(failure == .busy ? .serviceUnavailable : .tooManyRequests, failure.description).response
                    response.headers[.retryAfter] = failure.retryAfterHeader
                    return response
                }
            }
        }

        account.delete("/sessions/current") { _, context -> Response in
            let caller = try context.requireAdmin()
            guard caller.session != nil else {
                throw HTTPRefusal.badRequest("This is a personal API token, not a session; revoke it under Manage → API tokens.")
            }
            try await sessions.signOut(caller.token)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }

        account.get("/me") { _, context -> Response in
            let caller = try context.requireAdmin()
            return try .json(
                MeJSON(admin: AccountJSON(caller.admin), session: caller.session.map(SessionJSON.init), publicURL: publicURL.absoluteString))
        }
    }
}
