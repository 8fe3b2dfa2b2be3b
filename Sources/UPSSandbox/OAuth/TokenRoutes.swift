import Hummingbird

/// `POST /security/v1/oauth/token` (code for a first pair) and `POST /security/v1/oauth/refresh`
/// (single-use refresh token for a new pair), form-encoded; faults may be injected into
/// either. Clients authenticate strictly as `OAuthAuthCode.yaml` says: `/refresh` with HTTP
/// Basic; `/token` with HTTP Basic, or with PKCE — `client_id` and `code_verifier` in the
/// body and no Basic header. Never both.
struct TokenRoutes {
    static let tokenPath = "/security/v1/oauth/token"
    static let refreshPath = "/security/v1/oauth/refresh"

    let sandbox: Sandbox

    func register(on router: Router<SandboxRequestContext>) {
        router.group().add(middleware: FaultMiddleware(sandbox: sandbox, endpoint: .token))
            .post(RouterPath(Self.tokenPath)) { request, _ -> Response in
                let exchange = try await parse(request, grantType: "authorization_code", presenting: "code", allowsPKCE: true)
                guard let redirectURI = exchange.fields["redirect_uri"] else {
                    throw UPSError.invalidRequest("Invalid Request: redirect_uri is required")
                }
                return try answer(
                    sandbox.withWorld {
                        $0.redeem(
                            code: exchange.grant, client: exchange.client, redirectURI: redirectURI,
                            verifier: exchange.fields["code_verifier"], now: $1
                        )
                    })
            }
        router.group().add(middleware: FaultMiddleware(sandbox: sandbox, endpoint: .refresh))
            .post(RouterPath(Self.refreshPath)) { request, _ -> Response in
                let exchange = try await parse(request, grantType: "refresh_token", presenting: "refresh_token", allowsPKCE: false)
                return try answer(sandbox.withWorld { $0.refresh(token: exchange.grant, client: exchange.client, now: $1) })
            }
    }

    /// The form, checked in UPS's order: grant type, client, then the code or token presented.
    private func parse(
        _ request: Request, grantType: String, presenting field: String, allowsPKCE: Bool
    ) async throws -> (fields: FormFields, client: AuthenticatedClient, grant: String) {
        let fields = try await request.formFields()
        guard fields["grant_type"] == grantType else {
            throw UPSError.invalidRequest("Invalid Request: grant_type must be \(grantType)")
        }
        let client = try authenticate(request, fields, allowsPKCE: allowsPKCE)
        guard let grant = fields[field], !grant.isEmpty else {
            throw UPSError.invalidRequest("Invalid Request: \(field) is required")
        }
        return (fields, client, grant)
    }

    /// HTTP Basic with the client secret, and then no `code_verifier`; or, where PKCE is
    /// allowed and without an `Authorization` header, a public client naming itself with
    /// `client_id` next to its `code_verifier` (the code's challenge stands in for the secret).
    private func authenticate(_ request: Request, _ fields: FormFields, allowsPKCE: Bool) throws -> AuthenticatedClient {
        let clients = sandbox.registeredClients
        switch request.basicCredentials {
        case .credentials(let id, let secret):
            guard let client = clients[id], client.clientSecret == secret else { throw UPSError.invalidClient }
            guard fields["code_verifier"] == nil else { throw UPSError.basicWithVerifier }
            return AuthenticatedClient(clientID: id, isPublic: false)
        case .malformed:
            throw UPSError.invalidClient
        case nil:
            guard allowsPKCE else { throw UPSError.basicRequired }
            guard let id = fields["client_id"], !id.isEmpty else { throw UPSError.clientIDRequired }
            guard clients[id] != nil else { throw UPSError.invalidClient }
            guard let verifier = fields["code_verifier"], !verifier.isEmpty else { throw UPSError.basicRequired }
            return AuthenticatedClient(clientID: id, isPublic: true)
        }
    }

    private func answer(_ result: Result<IssuedTokens, ExchangeRefusal>) throws -> Response {
        switch result {
        case .success(let issued): return try .json(TokenResponse(issued))
        case .failure(.invalidClient): throw UPSError.invalidClient
        case .failure(.invalidCode): throw UPSError.invalidAuthorizationCode
        case .failure(.invalidRefreshToken): throw UPSError.invalidRefreshToken
        }
    }
}
