import Hummingbird

/// `GET /security/v1/oauth/authorize` and the legacy `GET /security/v1/oauth/validate-client`:
/// both check the client and redirect URI and send the browser to the sign-in page. Errors
/// carry `errorcode`/`errordescription` headers besides the envelope; a configured
/// `AuthorizeFault` answers before any check.
struct AuthorizeRoutes {
    let sandbox: Sandbox

    func register(on router: Router<SandboxRequestContext>) {
        router.get("/security/v1/oauth/authorize") { request, context -> Response in
            if let fault = sandbox.authorizeFault { return try Self.response(to: fault) }
            let authorization: AuthorizationRequest
            switch sandbox.checkAuthorization(request.queryFields) {
            case .success(let checked): authorization = checked
            case .failure(let error): return try error.response(withHeaders: true)
            }
            let location = FormFields.url(sandbox.baseURL(of: request, context: context) + SignInRoutes.path, adding: authorization.parameters)
            var headers = HTTPFields()
            headers[.init("appname")!] = authorization.client.appName
            headers[.init("displayname")!] = authorization.client.displayName
            return .found(location, headers: headers)
        }
        router.get("/security/v1/oauth/validate-client") { request, context -> Response in
            if let fault = sandbox.authorizeFault { return try Self.response(to: fault) }
            if case .failure(let error) = sandbox.checkAuthorization(request.queryFields, responseTypeRequired: false) {
                return try error.response(withHeaders: true)
            }
            return try .json(
                ValidateClientAnswer(
                    result: "success", type: "ups_com_api",
                    lassoRedirectURL: sandbox.baseURL(of: request, context: context) + SignInRoutes.path
                ))
        }
    }
}

extension AuthorizeRoutes {
    static func response(to fault: AuthorizeFault) throws -> Response {
        switch fault.mode {
        case .errorHeaders:
            return try UPSError(HTTPResponse.Status(code: fault.status), code: fault.errorCode, message: fault.errorDescription).response(
                withHeaders: true)
        case .errorPage:
            return .found(fault.errorPageURL)
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
