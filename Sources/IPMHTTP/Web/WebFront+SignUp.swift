import Foundation
import Hummingbird
import IPMDomain

extension WebFront {
    /// *Sign up now*: by invitation only. The link `/signup?invitation=…` shows the form; the
    /// account is created in the invited company with the invited role, and signed in.
    func registerSignUp(on router: Router<WebRequestContext>) {
        router.get("/signup") { request, _ -> Response in
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

        router.post("/signup") { request, context -> Response in
            let form = try await FormFields.read(request, context: context)
            let raw = form["invitation"] ?? ""
            let entered: [String: Any] = ["name": form["name"] ?? "", "displayName": form["displayName"] ?? "", "email": form["email"] ?? ""]
            let invitation: Invitation
            do {
                invitation = try await invitations.usable(Secret(raw))
            } catch let refusal as InvitationRefusal {
                return invitationRefused(refusal)
            }
            guard let formCookie = request.cookies[settings.formCookie]?.value,
                  FormCSRF.isValid(form["csrf"], cookie: formCookie, purpose: Self.signUpFormPurpose)
            else {
                return signUpPage(request, token: raw, invitation: invitation, values: entered,
                                  error: "This sign-up form has expired. Nothing was changed; please submit it again.", status: .forbidden)
            }
            let password = form["password"] ?? ""
            guard password == (form["passwordConfirmation"] ?? "") else {
                return signUpPage(request, token: raw, invitation: invitation, values: entered, error: "The two passwords do not match.", status: .badRequest)
            }
            let signUp: SignUp
            do throws(DomainError) {
                signUp = try SignUp(signInName: form["name"] ?? "", password: password, displayName: form["displayName"], email: form["email"])
            } catch {
                return signUpPage(request, token: raw, invitation: invitation, values: entered, error: error.description.capitalizedFirst + ".", status: .badRequest)
            }
            let admin: Admin
            do {
                (admin, _) = try await invitations.accept(Secret(raw), signUp, clientAddress: context.clientAddress)
            } catch let refusal as InvitationRefusal {
                return invitationRefused(refusal)
            } catch let throttled as SignUpThrottled {
                var response = signUpPage(request, token: raw, invitation: invitation, values: entered, error: throttled.description, status: .tooManyRequests)
                response.headers[.retryAfter] = String(max(1, Int(throttled.retryAfter.rounded(.up))))
                return response
            } catch let error as DomainError where error.isAlreadyExists {
                // Names are unique across companies, so this must be refused; the words stay
                // neutral (no name echoed, no "account", no company) and the throttle bounds the asking.
                return signUpPage(request, token: raw, invitation: invitation, values: entered,
                                  error: "This sign-in name cannot be used. Please choose another one.", status: .conflict)
            }
            let next = "/companies/\(invitation.company.id)"
            let issued: IssuedSession
            do {
                issued = try await sessions.signIn(admin.signInName.value, password: signUp.password, clientAddress: context.clientAddress, kind: .web)
            } catch is SignInFailure {
                // The account exists; a throttled client address signs in later, as anyone would.
                return Self.redirect("/sign-in?next=" + Self.queryEscaped(next))
            }
            try await signOutPrevious(request)
            var response = Self.redirect(next)
            response.setCookie(cookie(settings.sessionCookie, issued.token.value))
            return response
        }
    }

    /// Inviting and revoking, on the company page, for the company's admins.
    func registerInvitations(on router: Router<WebRequestContext>) {
        router.post("/companies/:id/invitations") { request, context -> Response in
            let reference = try? Self.companyReference(context)
            let page = reference.map { "/companies/\($0.idText)" } ?? "/settings"
            return try await withAdmin(request, returnTo: page) { signedIn in
                guard let reference else { return notFound(signedIn) }
                guard let form = try await postedForm(request, context: context, by: signedIn) else { return formExpired(signedIn, back: page) }
                let role: Role
                do { role = try Role(parsing: form["role"] ?? "") } catch { return notFound(signedIn) }
                let issued = try await invitations.invite(to: reference, as: role, by: signedIn.admin)
                return try await companyPage(reference, signedIn: signedIn, issued: issued, status: .created)
            }
        }

        router.post("/companies/:id/invitations/:invitation/revoke") { request, context -> Response in
            let reference = try? Self.companyReference(context)
            let page = reference.map { "/companies/\($0.idText)" } ?? "/settings"
            return try await withAdmin(request, returnTo: page) { signedIn in
                guard let reference else { return notFound(signedIn) }
                guard try await postedForm(request, context: context, by: signedIn) != nil else { return formExpired(signedIn, back: page) }
                guard let id = context.parameters.get("invitation").flatMap({ InvitationID($0) }) else { return notFound(signedIn) }
                try await invitations.revoke(id, in: reference, by: signedIn.admin)
                return Self.redirect(page)
            }
        }
    }

    /// The company page; its admins also see the invitation form and the pending invitations.
    func companyPage(
        _ reference: CompanyReference, signedIn: SignedIn, issued: IssuedInvitation? = nil, refreshNotice: [String: Any]? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let overview = try await access.company(reference, for: signedIn.admin)
        var values = Self.values(of: overview)
        if AccessPolicy.allows(overview.role, .refreshTokens), overview.connection.status == .authenticated {
            values["canRefresh"] = true
            values["csrf"] = signedIn.csrf
            values["refreshInterval"] = Int(forcedRefresh.interval)
        }
        values["refreshNotice"] = refreshNotice
        if AccessPolicy.allows(overview.role, .manageMembers) {
            let pending = try await invitations.pending(in: reference, for: signedIn.admin)
            values["canInvite"] = true
            values["csrf"] = signedIn.csrf
            values["hasInvitations"] = !pending.isEmpty
            values["invitations"] = pending.map { invitation -> [String: Any] in
                ["id": invitation.id.description, "companyID": overview.company.id.description, "role": invitation.role.rawValue, "invitedBy": invitation.invitedBy.description,
                 "created": Self.display(invitation.createdAt), "expires": Self.display(invitation.expiresAt), "csrf": signedIn.csrf]
            }
            if let issued {
                values["issued"] = [
                    "role": issued.invitation.role.rawValue, "expires": Self.display(issued.invitation.expiresAt),
                    "link": signUpLink(issued.token),
                ]
            }
        }
        return pages.render("company", title: overview.company.name.value, values, signedIn: signedIn, status: status)
    }

    func signUpLink(_ token: Secret) -> String {
        settings.publicURL.absoluteString.trimmingSuffix("/") + "/signup?invitation=" + Self.queryEscaped(token.value)
    }

    private func invitationRefused(_ refusal: InvitationRefusal) -> Response {
        let status: HTTPResponse.Status = refusal == .unknown ? .notFound : .gone
        return pages.message("Invitation not valid", refusal.description, link: "/sign-in", linkText: "Back to sign in", status: status)
    }

    /// The sign-up form, keyed like the sign-in form with the random form cookie.
    private func signUpPage(_ request: Request, token: String, invitation: Invitation, values entered: [String: Any], error: String?, status: HTTPResponse.Status) -> Response {
        var values = entered
        values["invitation"] = token
        values["company"] = invitation.company.name.value
        values["role"] = invitation.role.rawValue
        values["invitedBy"] = invitation.invitedBy.description
        values["minimumPasswordLength"] = Password.minimumLength
        values["error"] = error
        return preSessionForm(request, purpose: Self.signUpFormPurpose, "signUp", title: "Sign up", values, status: status)
    }
}

extension CompanyReference {
    /// The id as it appears in page paths.
    var idText: String {
        switch self {
        case .id(let id): return id.description
        case .name(let name): return name.value
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
