import Hummingbird

/// `GET /security/v1/oauth/authorize` and the legacy `GET /security/v1/oauth/validate-client`:
/// both check the client and redirect URI and send the browser to the sign-in page.
struct AuthorizeRoutes {
    let sandbox: Sandbox

    func register(on router: Router<SandboxRequestContext>) {
        router.get("/security/v1/oauth/authorize") { request, context -> Response in
            let authorization = try sandbox.checkAuthorization(request.queryFields).get()
            let location = FormFields.url(sandbox.baseURL(of: request, context: context) + SignInRoutes.path, adding: authorization.parameters)
            var headers = HTTPFields()
            headers[.init("appname")!] = authorization.client.appName
            headers[.init("displayname")!] = authorization.client.displayName
            return .found(location, headers: headers)
        }
        router.get("/security/v1/oauth/validate-client") { request, context -> Response in
            _ = try sandbox.checkAuthorization(request.queryFields, responseTypeRequired: false).get()
            return try .json(ValidateClientAnswer(
                result: "success", type: "ups_com_api",
                lassoRedirectURL: sandbox.baseURL(of: request, context: context) + SignInRoutes.path
            ))
        }
    }
}

private struct ValidateClientAnswer: Encodable {
    let result: String
    let type: String
    let lassoRedirectURL: String

    enum CodingKeys: String, CodingKey {
        case result, type
        case lassoRedirectURL = "LassoRedirectURL"
    }
}
