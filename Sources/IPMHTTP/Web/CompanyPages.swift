import Foundation
import Hummingbird
import IPMDomain

/// Manage → Settings and a company's pages: the company (with "Refresh now" and, for its
/// admins, invitations), its UPS API panel and opt-out, its activity.
struct CompanyPages: Sendable {
    let access: CompanyAccess
    let invitations: InvitationService
    let forcedRefresh: ForcedRefresh
    let settings: WebSettings
    let pages: Pages

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/settings") { _, context -> Response in
            let signedIn = try context.requireAdmin()
            let companies = try await access.overview(for: signedIn.admin)
            return pages.render(
                "settings", title: "Settings",
                [
                    "hasCompanies": !companies.isEmpty, "companies": companies.map(CompanyPageValues.values(of:)),
                ], signedIn: signedIn)
        }

        group.get("/companies/:id") { _, context -> Response in
            try await companyPage(try context.companyReference(), signedIn: try context.requireAdmin())
        }

        group.get("/companies/:id/api") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let overview = try await access.company(try context.companyReference(), for: signedIn.admin)
            var values = CompanyPageValues.values(of: overview)
            values["csrf"] = signedIn.csrf
            values["choose"] = request.uri.queryParameters["step"] == "method"
            return pages.render("apiPanel", title: "UPS API", values, signedIn: signedIn)
        }

        group.post("/companies/:id/opt-out") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let reference = try context.companyReference()
            guard let form = try await PostedForm.read(request, context: context, by: signedIn) else {
                return pages.formExpired(signedIn, back: Self.apiPath(reference))
            }
            guard form["confirmed"] == "yes" else {
                // Without JS there was no browser confirm: ask on a page (to those who may opt out).
                let (company, _) = try await access.authorize(.optOut, reference, signedIn.admin)
                return pages.render(
                    "optOutConfirmation", title: "Opt out?",
                    [
                        "id": company.id.description, "name": company.name.value, "csrf": signedIn.csrf,
                    ], signedIn: signedIn)
            }
            _ = try await access.optOut(reference, by: signedIn.admin)
            return pages.outcome(
                succeeded: true, "Successfully Opted-Out of UPS Online Tools (OAuth)", close: Self.apiPath(reference), signedIn: signedIn)
        }

        group.get("/companies/:id/activity") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let reference = try context.companyReference()
            let overview = try await access.company(reference, for: signedIn.admin)
            var before: AuditCursor?
            if let text = request.uri.queryParameters["before"] {
                // Only a position IPM made itself; anything else is said, not guessed at.
                guard let cursor = AuditCursor(text: String(text)) else {
                    return pages.message(
                        "Link not valid",
                        "This activity link is not valid: it does not point at a place in the company's activity. Nothing was changed.",
                        link: "/companies/\(overview.company.id)/activity", linkText: "Newest activity", signedIn: signedIn, status: .badRequest
                    )
                }
                before = cursor
            }
            let pageSize = 20
            let page = try await access.activity(reference, for: signedIn.admin, limit: pageSize, before: before)
            let shown = page.events
            var values: [String: Any] = [
                "id": overview.company.id.description, "name": overview.company.name.value,
                "hasEvents": !shown.isEmpty, "events": shown.map(CompanyPageValues.values(of:)), "newest": before != nil,
            ]
            if let next = page.next { values["older"] = next.text }
            return pages.render("activity", title: "Activity", values, signedIn: signedIn)
        }

        // "Refresh now" (company admins): the forced refresh, and the company page with its outcome.
        group.post("/companies/:id/refresh") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let reference = try context.companyReference()
            guard try await PostedForm.read(request, context: context, by: signedIn) != nil else {
                return pages.formExpired(signedIn, back: Self.companyPath(reference))
            }
            let result = try await forcedRefresh.refresh(reference, by: signedIn.admin)
            let answer = ForcedRefreshAnswer(result, interval: forcedRefresh.interval)
            return try await companyPage(
                reference, signedIn: signedIn, refreshNotice: ["succeeded": answer.succeeded, "message": answer.message], status: answer.status
            )
        }

        // Inviting and revoking, on the company page, for the company's admins.
        group.post("/companies/:id/invitations") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let reference = try context.companyReference()
            guard let form = try await PostedForm.read(request, context: context, by: signedIn) else {
                return pages.formExpired(signedIn, back: Self.companyPath(reference))
            }
            guard let role = try? Role(parsing: form["role"] ?? "") else { throw HTTPRefusal.notFound }
            let issued = try await invitations.invite(to: reference, as: role, by: signedIn.admin)
            return try await companyPage(reference, signedIn: signedIn, issued: issued, status: .created)
        }

        group.post("/companies/:id/invitations/:invitation/revoke") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let reference = try context.companyReference()
            guard try await PostedForm.read(request, context: context, by: signedIn) != nil else {
                return pages.formExpired(signedIn, back: Self.companyPath(reference))
            }
            guard let id = context.parameters.get("invitation").flatMap({ InvitationID($0) }) else { throw HTTPRefusal.notFound }
            try await invitations.revoke(id, in: reference, by: signedIn.admin)
            return .redirect(Self.companyPath(reference))
        }
    }

    /// The company page; its admins also see the invitation form and the pending invitations.
    func companyPage(
        _ reference: CompanyReference, signedIn: AuthenticatedAdmin, issued: IssuedInvitation? = nil, refreshNotice: [String: Any]? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let overview = try await access.company(reference, for: signedIn.admin)
        var values = CompanyPageValues.values(of: overview)
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
                [
                    "id": invitation.id.description, "companyID": overview.company.id.description, "role": invitation.role.rawValue,
                    "invitedBy": invitation.invitedBy.description,
                    "created": Pages.display(invitation.createdAt), "expires": Pages.display(invitation.expiresAt), "csrf": signedIn.csrf,
                ]
            }
            if let issued {
                values["issued"] = [
                    "role": issued.invitation.role.rawValue, "expires": Pages.display(issued.invitation.expiresAt),
                    "link": signUpLink(issued.token),
                ]
            }
        }
        return pages.render("company", title: overview.company.name.value, values, signedIn: signedIn, status: status)
    }

    func signUpLink(_ token: Secret) -> String {
        settings.publicURL.absoluteString.trimmingSuffix("/") + "/signup?invitation=" + WebFront.queryEscaped(token.value)
    }

    static func apiPath(_ reference: CompanyReference) -> String {
        if case .id(let id) = reference { return "/companies/\(id)/api" }
        return "/settings"
    }

    static func companyPath(_ reference: CompanyReference) -> String {
        if case .id(let id) = reference { return "/companies/\(id)" }
        return "/settings"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
