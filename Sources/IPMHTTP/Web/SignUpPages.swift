import Foundation
import Hummingbird
import IPMDomain

/// *Sign up now*: by invitation only. The link `/signup?invitation=…` shows the form; the
/// account is created in the invited company with the invited role, and signed in.
struct SignUpPages: Sendable {
    let invitations: InvitationService
    /// Signs the new admin in, as the sign-in form would.
    let signIn: SignInPages

    var pages: Pages { signIn.pages }
    var settings: WebSettings { signIn.settings }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/signup") { request, _ -> Response in
            guard let raw = request.uri.queryParameters["invitation"].map({ String($0) }), !raw.isEmpty else {
                return pages.render("signUpByInvitationOnly", title: "Sign up", [:])
            }
            do {
                let invitation = try await invitations.usable(Secret(raw))
                return signUpPage(request, token: raw, invitation: invitation, values: [:], error: nil, status: .ok)
            } catch let refusal as InvitationRefusal {
                return invitationRefused(refusal)
            }
        }

        group.post("/signup") { request, context -> Response in
            let form = try await PostedForm.read(request, context: context)
            let raw = form["invitation"] ?? ""
            let entered: [String: Any] = ["name": form["name"] ?? "", "displayName": form["displayName"] ?? "", "email": form["email"] ?? ""]
            let invitation: Invitation
            do {
                invitation = try await invitations.usable(Secret(raw))
            } catch let refusal as InvitationRefusal {
                return invitationRefused(refusal)
            }
            guard let formCookie = request.cookies[settings.formCookie]?.value,
                FormCSRF.isValid(form["csrf"], cookie: formCookie, purpose: FormCSRF.signUpFormPurpose)
            else {
                return signUpPage(
                    request, token: raw, invitation: invitation, values: entered,
                    error: "This sign-up form has expired. Nothing was changed; please submit it again.", status: .forbidden)
            }
            let password = form["password"] ?? ""
            guard password == (form["passwordConfirmation"] ?? "") else {
                return signUpPage(
                    request, token: raw, invitation: invitation, values: entered, error: "The two passwords do not match.", status: .badRequest)
            }
            let signUp: SignUp
            do throws(DomainError) {
                signUp = try SignUp(signInName: form["name"] ?? "", password: password, displayName: form["displayName"], email: form["email"])
            } catch {
                return signUpPage(
                    request, token: raw, invitation: invitation, values: entered, error: error.description.capitalizedFirst + ".", status: .badRequest
                )
            }
            let admin: Admin
            do {
                (admin, _) = try await invitations.accept(Secret(raw), signUp, clientAddress: context.clientAddress)
            } catch let refusal as InvitationRefusal {
                return invitationRefused(refusal)
            } catch let throttled as SignUpThrottled {
                var response = signUpPage(
                    request, token: raw, invitation: invitation, values: entered, error: throttled.description, status: .tooManyRequests)
                response.headers[.retryAfter] = String(max(1, Int(throttled.retryAfter.rounded(.up))))
                return response
            } catch let error as DomainError where error.isAlreadyExists {
                // Names are unique across companies, so this must be refused; the words stay
                // neutral (no name echoed, no "account", no company) and the throttle bounds the asking.
                return signUpPage(
                    request, token: raw, invitation: invitation, values: entered,
                    error: "This sign-in name cannot be used. Please choose another one.", status: .conflict)
            }
            let next = "/companies/\(invitation.company.id)"
            let issued: IssuedSession
            do {
                issued = try await signIn.sessions.signIn(
                    admin.signInName.value, password: signUp.password, clientAddress: context.clientAddress, kind: .web)
            } catch is SignInFailure {
                // The account exists; a throttled client address signs in later, as anyone would.
                return .redirect("/sign-in?next=" + WebFront.queryEscaped(next))
            }
            try await signIn.signOutPrevious(request)
            var response = Response.redirect(next)
            response.setCookie(settings.cookie(settings.sessionCookie, issued.token.value))
            return response
        }
    }

    private func invitationRefused(_ refusal: InvitationRefusal) -> Response {
        let status: HTTPResponse.Status = refusal == .unknown ? .notFound : .gone
        return pages.message("Invitation not valid", refusal.description, link: "/sign-in", linkText: "Back to sign in", status: status)
    }

    /// The sign-up form, keyed like the sign-in form with the random form cookie.
    private func signUpPage(
        _ request: Request, token: String, invitation: Invitation, values entered: [String: Any], error: String?, status: HTTPResponse.Status
    ) -> Response {
        var values = entered
        values["invitation"] = token
        values["company"] = invitation.company.name.value
        values["role"] = invitation.role.rawValue
        values["invitedBy"] = invitation.invitedBy.description
        values["minimumPasswordLength"] = Password.minimumLength
        values["error"] = error
        return signIn.preSessionForm(request, purpose: FormCSRF.signUpFormPurpose, "signUp", title: "Sign up", values, status: status)
    }
}
