import Foundation
import Hummingbird
import IPMDomain

/// Signing in and out on the web, and the forgotten-password page.
struct SignInPages: Sendable {
    let sessions: SessionService
    let settings: WebSettings
    let pages: Pages

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/sign-in") { request, context -> Response in
            let next = WebFront.safeReturnPath(request.uri.queryParameters["next"].map { String($0) })
            if context.admin != nil { return .redirect(next) }
            let notice = request.uri.queryParameters["signed-out"] != nil ? "You are signed out." : nil
            return signInPage(request, next: next, name: "", error: nil, notice: notice, status: .ok)
        }

        group.post("/sign-in") { request, context -> Response in
            let form = try await PostedForm.read(request, context: context)
            let next = WebFront.safeReturnPath(form["next"])
            let name = form["name"] ?? ""
            guard let formCookie = request.cookies[settings.formCookie]?.value,
                FormCSRF.isValid(form["csrf"], cookie: formCookie, purpose: FormCSRF.signInFormPurpose)
            else {
                return signInPage(
                    request, next: next, name: name, error: "This sign-in form has expired. Please sign in again.", notice: nil, status: .forbidden)
            }
            do {
                let issued = try await sessions.signIn(
                    name, password: Password(unchecked: form["password"] ?? ""), clientAddress: context.clientAddress, kind: .web
                )
                // The session this browser had before (another admin's, or a planted one) ends here.
                try await signOutPrevious(request)
                var response = Response.redirect(next)
                response.setCookie(settings.cookie(settings.sessionCookie, issued.token.value))
                return response
            } catch let failure as SignInFailure {
                let status: HTTPResponse.Status =
                    switch failure {
                    case .throttled: .tooManyRequests
                    case .busy: .serviceUnavailable
                    case .invalidCredentials: .unauthorized
                    }
                var response = signInPage(request, next: next, name: name, error: failure.description, notice: nil, status: status)
                if let retryAfter = failure.retryAfterHeader { response.headers[.retryAfter] = retryAfter }
                return response
            }
        }

        group.post("/sign-out") { request, context -> Response in
            guard let signedIn = context.admin else { return .redirect("/sign-in") }
            guard try await PostedForm.read(request, context: context, by: signedIn) != nil else {
                return pages.formExpired(signedIn, back: "/settings")
            }
            try await sessions.signOut(signedIn.token)
            var response = Response.redirect("/sign-in?signed-out=1")
            response.setCookie(settings.cookie(settings.sessionCookie, "", maxAge: 0))
            return response
        }

        group.get("/forgot-password") { _, _ in
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
    private func signInPage(_ request: Request, next: String, name: String, error: String?, notice: String?, status: HTTPResponse.Status) -> Response
    {
        var values: [String: Any] = ["next": next, "name": name]
        values["error"] = error
        values["notice"] = notice
        return preSessionForm(request, purpose: FormCSRF.signInFormPurpose, "signIn", title: "Sign in", values, status: status)
    }

    /// A form shown before a session exists: its CSRF token (`csrf`) is keyed with a random
    /// form cookie, set here when the browser has none.
    func preSessionForm(
        _ request: Request, purpose: String, _ template: String, title: String, _ values: [String: Any], status: HTTPResponse.Status
    ) -> Response {
        let existing = request.cookies[settings.formCookie]?.value
        let formCookie = existing ?? Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        var values = values
        values["csrf"] = FormCSRF.token(cookie: formCookie, purpose: purpose)
        var response = pages.render(template, title: title, values, status: status)
        if existing == nil { response.setCookie(settings.cookie(settings.formCookie, formCookie)) }
        return response
    }
}

extension SignInFailure {
    /// `Retry-After` for a refusal that passes: whole seconds, at least 1.
    var retryAfterHeader: String? {
        switch self {
        case .throttled(let seconds): String(max(1, Int(seconds.rounded(.up))))
        case .busy: "1"
        case .invalidCredentials: nil
        }
    }
}
