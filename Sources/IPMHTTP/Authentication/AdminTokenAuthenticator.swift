import Hummingbird
import HummingbirdAuth
import IPMDomain

/// `Authorization: Bearer` with a personal API token or a session's token → its admin.
struct AdminTokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = WebRequestContext

    let apiTokens: APITokenService
    let sessions: SessionService

    func authenticate(request: Request, context: WebRequestContext) async throws -> Caller? {
        // A service token is never an admin's: not looked up twice.
        guard context.identity == nil, let bearer = request.headers.bearer, !bearer.token.hasPrefix(ServiceCredential.tokenPrefix) else { return nil }
        let secret = Secret(bearer.token)
        if let (token, admin) = try await apiTokens.resolve(secret) {
            return .admin(AuthenticatedAdmin(admin: admin, credential: .apiToken(token), token: secret))
        }
        if let (session, admin) = try await sessions.resolve(secret) {
            return .admin(AuthenticatedAdmin(admin: admin, credential: .sessionToken(session), token: secret))
        }
        return nil
    }
}
