import Hummingbird
import HummingbirdAuth
import IPMDomain

/// `Authorization: Bearer` with a live service token → the deployment's service.
struct ServiceTokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = WebRequestContext

    let credentials: ServiceCredentials

    func authenticate(request: Request, context: WebRequestContext) async throws -> Caller? {
        guard context.identity == nil, let bearer = request.headers.bearer else { return nil }
        return try await credentials.authenticate(Secret(bearer.token)).map(Caller.service)
    }
}
