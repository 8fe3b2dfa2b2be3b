import Foundation
import Hummingbird
import IPMDomain

extension WebFront {
    func registerSignIn(on router: Router<WebRequestContext>) {
        router.get("/sign-in") { request, _ -> Response in
            let next = Self.safeReturnPath(request.uri.queryParameters["next"].map { String($0) })
            if try await signedIn(request) != nil { return Self.redirect(next) }
            let notice = request.uri.queryParameters["signed-out"] != nil ? "You are signed out." : nil
            return signInPage(request, next: next, name: "", error: nil, notice: notice, status: .ok)
        }

        router.post("/sign-in") { request, context -> Response in
            let form = try await FormFields.read(request, context: context)
            let next = Self.safeReturnPath(form["next"])
            let name = form["name"] ?? ""
            guard let formCookie = request.cookies[settings.formCookie]?.value,
                  FormCSRF.isValid(form["csrf"], cookie: formCookie, purpose: Self.signInFormPurpose)
            else {
                return signInPage(request, next: next, name: name, error: "This sign-in form has expired. Please sign in again.", notice: nil, status: .forbidden)
            }
            do {
                let issued = try await sessions.signIn(
                    name, password: Password(unchecked: form["password"] ?? ""), clientAddress: context.clientAddress, kind: .web
                )
                // The session this browser had before (another admin's, or a planted one) ends here.
                try await signOutPrevious(request)
                var response = Self.redirect(next)
                response.setCookie(cookie(settings.sessionCookie, issued.token.value))
                return response
            } catch let failure as SignInFailure {
                let status: HTTPResponse.Status = switch failure {
                case .throttled: .tooManyRequests
                case .busy: .serviceUnavailable
                case .invalidCredentials: .unauthorized
                }
                var response = signInPage(request, next: next, name: name, error: failure.description, notice: nil, status: status)
                if let retryAfter = failure.retryAfterHeader { response.headers[.retryAfter] = retryAfter }
                return response
            }
        }

        router.post("/sign-out") { request, context -> Response in
            guard let signedIn = try await signedIn(request) else { return Self.redirect("/sign-in") }
            guard try await postedForm(request, context: context, by: signedIn) != nil else {
                return formExpired(signedIn, back: "/settings")
            }
            try await sessions.signOut(signedIn.token)
            var response = Self.redirect("/sign-in?signed-out=1")
            response.setCookie(cookie(settings.sessionCookie, "", maxAge: 0))
            return response
        }

        router.get("/forgot-password") { _, _ in
            pages.render("forgotPassword", title: "Forgot your password?", [:])
        }
    }

    /// Revokes the session in the request's cookie, if any: a new sign-in replaces it.
    func signOutPrevious(_ request: Request) async throws {
        if let previous = request.cookies[settings.sessionCookie]?.value, !previous.isEmpty {
            try await sessions.signOut(Secret(previous))
        }
    }

    /// The sign-in form.
    private func signInPage(_ request: Request, next: String, name: String, error: String?, notice: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["next": next, "name": name]
        values["error"] = error
        values["notice"] = notice
        return preSessionForm(request, purpose: Self.signInFormPurpose, "signIn", title: "Sign in", values, status: status)
    }

    /// A form shown before a session exists: its CSRF token (`csrf`) is keyed with a random
    /// form cookie, set here when the browser has none.
    func preSessionForm(_ request: Request, purpose: String, _ template: String, title: String, _ values: [String: Any], status: HTTPResponse.Status) -> Response {
        let existing = request.cookies[settings.formCookie]?.value
        let formCookie = existing ?? Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        var values = values
        values["csrf"] = FormCSRF.token(cookie: formCookie, purpose: purpose)
        var response = pages.render(template, title: title, values, status: status)
        if existing == nil { response.setCookie(cookie(settings.formCookie, formCookie)) }
        return response
    }
}
