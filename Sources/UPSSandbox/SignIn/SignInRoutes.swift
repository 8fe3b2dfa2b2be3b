import Foundation
import Hummingbird

/// The sign-in pages on the sandbox's side ("lasso"): page 1 takes the email or username and
/// the agreement, page 2 the password. Page 1 checks the client and redirect URI from its
/// own query, so the legacy `validate-client` flow works without `/authorize`. Between the
/// pages the request waits in a server-side pending sign-in, named by an opaque hidden field.
struct SignInRoutes {
    static let path = "/lasso/signin"
    static let passwordPath = "/lasso/signin/password"
    static let stylesheetPath = "/lasso/signin.css"

    let sandbox: Sandbox

    func register(on router: Router<SandboxRequestContext>) {
        router.get(RouterPath(Self.stylesheetPath)) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Stylesheet.css))
            )
        }
        router.get(RouterPath(Self.path)) { request, _ -> Response in
            switch sandbox.checkAuthorization(request.queryFields) {
            case .success(let authorization): .html(SignInPages.account(authorization))
            case .failure(let error): problem(error)
            }
        }
        router.post(RouterPath(Self.path)) { request, _ -> Response in
            let fields = try await request.formFields()
            let authorization: AuthorizationRequest
            switch sandbox.checkAuthorization(fields) {
            case .success(let checked): authorization = checked
            case .failure(let error): return problem(error)
            }
            if fields["action"] == "cancel" { return .found(authorization.accessDeniedCallback) }
            let username = (fields["username"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !username.isEmpty else {
                return .html(SignInPages.account(authorization, error: "Enter your email or username."))
            }
            guard fields["agreement"] == "accepted" else {
                return .html(
                    SignInPages.account(
                        authorization, username: username, error: "To continue, tick the box to agree to the UPS Technology Agreement."))
            }
            guard let begun = sandbox.withWorld({ $0.beginSignIn(authorization, emailOrUsername: username, now: $1) }) else {
                return .html(
                    SignInPages.account(
                        authorization, username: username, error: "We don't recognize that email or username. Check it and try again."))
            }
            return .html(SignInPages.password(signInID: begun.id, displayName: begun.signIn.displayName))
        }
        router.post(RouterPath(Self.passwordPath)) { request, _ -> Response in
            let fields = try await request.formFields()
            let signInID = fields["signin"] ?? ""
            if fields["action"] == "cancel" {
                guard let signIn = sandbox.withWorld({ $0.cancelSignIn(signInID, now: $1) }) else { return expired }
                return .found(signIn.request.accessDeniedCallback)
            }
            switch sandbox.withWorld({ $0.completeSignIn(signInID, password: fields["password"] ?? "", now: $1) }) {
            case .authorized(let code, let authorization):
                return .found(authorization.callback(code: code))
            case .wrongPassword(let signIn):
                return .html(
                    SignInPages.password(signInID: signInID, displayName: signIn.displayName, error: "The password is incorrect. Try again."))
            case .expired:
                return expired
            }
        }
    }

    private func problem(_ error: UPSError) -> Response {
        .html(SignInPages.problem("\(error.message) (\(error.code))."), status: error.status)
    }

    private var expired: Response {
        .html(SignInPages.problem("This sign-in has expired or was already used."), status: .badRequest)
    }
}
