import HTTPTypes
import Hummingbird
import IPMDomain

/// The JSON API's routes for admins: a caller is required (401 otherwise), and a change made
/// with the browser's session cookie needs the `X-CSRF-Token` header of the session's pages.
struct AdminRequiredMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: WebRequestContext, next: (Request, WebRequestContext) async throws -> Response) async throws -> Response
    {
        guard let admin = context.admin else {
            throw HTTPRefusal(.unauthorized, title: "Not signed in", "Send Authorization: Bearer <API token or session token>, or sign in.")
        }
        if admin.isBrowser, ![.get, .head].contains(request.method),
            !FormCSRF.isValid(request.headers[Self.csrfHeader], cookie: admin.token.value, purpose: FormCSRF.sessionFormPurpose)
        {
            throw HTTPRefusal(
                .forbidden, title: "Form expired", "A change made with the session cookie needs the X-CSRF-Token header of the session's pages.")
        }
        return try await next(request, context)
    }
}
