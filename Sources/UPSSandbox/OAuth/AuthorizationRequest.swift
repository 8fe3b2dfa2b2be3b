/// A checked authorization request: a registered client, one of its redirect URIs exactly,
/// and what travels with it to the code (scope, state, PKCE challenge).
struct AuthorizationRequest: Sendable {
    let client: RegisteredClient
    let redirectURI: String
    let scope: String
    /// Exactly as sent; `nil` when the app sent none.
    let state: String?
    /// `BASE64URL(SHA256(verifier))`; the method is always S256.
    let codeChallenge: String?

    /// Checks the query of `/authorize` or `/lasso/signin`, or the sign-in form's hidden
    /// fields, in UPS's order: client, redirect URI, then the rest. `validate-client` asks
    /// only for the first two (`responseTypeRequired: false`).
    static func check(_ fields: FormFields, clients: [String: RegisteredClient], responseTypeRequired: Bool = true) -> Result<Self, UPSError> {
        guard let clientID = fields["client_id"], !clientID.isEmpty else {
            return .failure(.invalidRequest("Invalid Request: client_id is required"))
        }
        guard let client = clients[clientID] else { return .failure(.invalidClient) }
        guard let redirectURI = fields["redirect_uri"], client.redirectURIs.contains(redirectURI) else {
            return .failure(.invalidRedirectURL)
        }
        if responseTypeRequired, fields["response_type"] != "code" {
            return .failure(.invalidRequest("Invalid Request: response_type must be code"))
        }
        let challenge = fields["code_challenge"]
        switch (challenge, fields["code_challenge_method"]) {
        case (nil, nil), (.some, nil), (.some, "S256"):
            break
        case (nil, .some):
            return .failure(.invalidRequest("Invalid Request: code_challenge_method without code_challenge"))
        case (.some, .some):
            return .failure(.invalidRequest("Invalid Request: code_challenge_method must be S256"))
        }
        if let challenge, !PKCE.isWellFormedChallenge(challenge) {
            return .failure(.invalidRequest("Invalid Request: code_challenge must be BASE64URL(SHA256(code_verifier))"))
        }
        let scope = (fields["scope"] ?? "").split(separator: " ").joined(separator: " ")
        return .success(
            AuthorizationRequest(
                client: client, redirectURI: redirectURI, scope: scope.isEmpty ? "read" : scope,
                state: fields["state"], codeChallenge: challenge
            ))
    }

    /// The parameters that carry this request to the sign-in page and through its form.
    var parameters: KeyValuePairs<String, String?> {
        [
            "client_id": client.clientID,
            "redirect_uri": redirectURI,
            "response_type": "code",
            "scope": scope,
            "state": state,
            "type": "ups_com_api",
            "code_challenge": codeChallenge,
            "code_challenge_method": codeChallenge == nil ? nil : "S256",
        ]
    }

    /// The redirect back to the app with the code, the state exactly as sent, and the scope.
    func callback(code: String) -> String {
        FormFields.url(redirectURI, adding: ["code": code, "state": state, "scope": scope])
    }

    /// The redirect back to the app when the UPS.com user cancels.
    var accessDeniedCallback: String {
        FormFields.url(
            redirectURI,
            adding: [
                "error": "access_denied",
                "error_description": "The UPS.com user cancelled the authorization",
                "state": state,
            ])
    }
}

extension Sandbox {
    func checkAuthorization(_ fields: FormFields, responseTypeRequired: Bool = true) -> Result<AuthorizationRequest, UPSError> {
        AuthorizationRequest.check(fields, clients: registeredClients, responseTypeRequired: responseTypeRequired)
    }
}
