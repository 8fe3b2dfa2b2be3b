import Hummingbird
import HummingbirdAuth
import IPMDomain

/// The browser's session cookie → the admin of a live session.
struct SessionCookieAuthenticator: AuthenticatorMiddleware {
    typealias Context = WebRequestContext

    let sessions: SessionService
    let cookieName: String
    /// In the API a bearer token, when one is sent, is the only credential looked at: an
    /// unknown one is 401 whatever cookie comes with it.
    var yieldsToBearer = false

    func authenticate(request: Request, context: WebRequestContext) async throws -> Caller? {
        guard context.identity == nil, !(yieldsToBearer && request.headers.bearer != nil),
            let value = request.cookies[cookieName]?.value, !value.isEmpty
        else { return nil }
        let token = Secret(value)
        guard let (session, admin) = try await sessions.resolve(token) else { return nil }
        return .admin(AuthenticatedAdmin(admin: admin, credential: .sessionCookie(session), token: token))
    }
}
