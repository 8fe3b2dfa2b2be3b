import Foundation
import Hummingbird
import IPMDomain

extension WebFront {
    func registerCompanies(on router: Router<WebRequestContext>) {
        router.get("/settings") { request, _ -> Response in
            try await withAdmin(request) { signedIn in
                let companies = try await access.overview(for: signedIn.admin)
                return pages.render("settings", title: "Settings", [
                    "hasCompanies": !companies.isEmpty, "companies": companies.map(Self.values(of:)),
                ], signedIn: signedIn)
            }
        }

        router.get("/companies/:id") { request, context -> Response in
            try await withAdmin(request) { signedIn in
                try await companyPage(try Self.companyReference(context), signedIn: signedIn)
            }
        }

        router.get("/companies/:id/api") { request, context -> Response in
            try await withAdmin(request) { signedIn in
                let overview = try await access.company(try Self.companyReference(context), for: signedIn.admin)
                var values = Self.values(of: overview)
                values["csrf"] = signedIn.csrf
                values["choose"] = request.uri.queryParameters["step"] == "method"
                return pages.render("apiPanel", title: "UPS API", values, signedIn: signedIn)
            }
        }

        router.post("/companies/:id/opt-out") { request, context -> Response in
            let reference = try? Self.companyReference(context)
            return try await withAdmin(request, returnTo: reference.map(Self.apiPath) ?? "/settings") { signedIn in
                guard let reference else { return notFound(signedIn) }
                guard let form = try await postedForm(request, context: context, by: signedIn) else {
                    return formExpired(signedIn, back: Self.apiPath(reference))
                }
                let (company, _) = try await access.authorize(.optOut, reference, signedIn.admin)
                guard form["confirmed"] == "yes" else {
                    // Without JS there was no browser confirm: ask on a page.
                    return pages.render("optOutConfirmation", title: "Opt out?", [
                        "id": company.id.description, "name": company.name.value, "csrf": signedIn.csrf,
                    ], signedIn: signedIn)
                }
                _ = try await access.optOut(reference, by: signedIn.admin)
                return outcome(succeeded: true, "Successfully Opted-Out of UPS Online Tools (OAuth)", close: Self.apiPath(reference), signedIn: signedIn)
            }
        }

        router.get("/companies/:id/activity") { request, context -> Response in
            try await withAdmin(request) { signedIn in
                let reference = try Self.companyReference(context)
                let overview = try await access.company(reference, for: signedIn.admin)
                var before: AuditCursor?
                if let text = request.uri.queryParameters["before"] {
                    // Only a position IPM made itself; anything else is said, not guessed at.
                    guard let cursor = AuditCursor(text: String(text)) else {
                        return pages.message(
                            "Link not valid", "This activity link is not valid: it does not point at a place in the company's activity. Nothing was changed.",
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
                    "hasEvents": !shown.isEmpty, "events": shown.map(Self.values(of:)), "newest": before != nil,
                ]
                if let next = page.next { values["older"] = next.text }
                return pages.render("activity", title: "Activity", values, signedIn: signedIn)
            }
        }
    }

    /// The seed's result dialog: "Success" and its sentence, or what went wrong.
    func outcome(succeeded: Bool, _ message: String, hint: String? = nil, close: String, signedIn: SignedIn, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = ["succeeded": succeeded, "heading": succeeded ? "Success" : "Opt-in not completed", "message": message, "closeURL": close]
        values["hint"] = hint
        return pages.render("outcome", title: succeeded ? "Success" : "Not completed", values, signedIn: signedIn, status: status)
    }

    static func apiPath(_ reference: CompanyReference) -> String {
        if case .id(let id) = reference { return "/companies/\(id)/api" }
        return "/settings"
    }

    /// The `:id` path parameter; anything but a UUID reads as a company that does not exist.
    static func companyReference(_ context: WebRequestContext) throws -> CompanyReference {
        let text = context.parameters.get("id") ?? ""
        guard let id = CompanyID(text) else { throw DomainError.companyNotFound(.id(CompanyID())) }
        return .id(id)
    }

    static func values(of overview: CompanyOverview) -> [String: Any] {
        let connection = overview.connection
        var values: [String: Any] = [
            "id": overview.company.id.description, "name": overview.company.name.value,
            "statusKey": connection.status.rawValue, "statusTitle": connection.status.title,
            "authenticated": connection.status == .authenticated, "blocked": connection.status == .blocked,
            "holdsTokens": connection.holdsTokens, "role": overview.role.rawValue,
            "canManage": AccessPolicy.allows(overview.role, .optIn),
        ]
        values["reason"] = connection.status == .reauthorizationRequired ? connection.reauthorizationMessage : nil
        values["authorizedAt"] = connection.holdsTokens ? connection.authorizedAt.map(Self.display) : nil
        values["blockedReason"] = connection.status == .blocked ? connection.blockedReason : nil
        values["blockedAt"] = connection.status == .blocked ? connection.blockedAt.map(Self.display) : nil
        if connection.status == .reauthorizationRequired {
            values["optInLink"] = "\(OptInLink.path)?company=\(overview.company.id)"
        }
        if connection.holdsTokens {
            let health = connection.refreshHealth
            let (key, text): (String, String) =
                connection.status == .blocked ? ("blocked", "Blocked by UPS")
                : health.consecutiveFailures > 0 ? ("failing", "Failing: \(health.consecutiveFailures) failed refresh\(health.consecutiveFailures == 1 ? "" : "es") in a row")
                : ("ok", "OK")
            var facts: [String: Any] = ["healthKey": key, "healthText": text, "failures": health.consecutiveFailures]
            facts["lastRefreshedAt"] = connection.lastRefreshedAt.map(Self.display)
            facts["lastError"] = health.lastError
            facts["nextAttemptAt"] = health.nextAttemptAt.map(Self.display)
            facts["accessTokenExpiresAt"] = connection.accessTokenExpiresAt.map(Self.display)
            facts["refreshTokenExpiresAt"] = connection.refreshTokenExpiresAt.map(Self.display)
            values["health"] = facts
        }
        values["optIn"] = overview.optIn?.message
        values["optInState"] = overview.optIn?.state.rawValue
        return values
    }

    static func values(of event: AuditEvent) -> [String: Any] {
        [
            "iso": event.occurredAt.formatted(.iso8601), "when": display(event.occurredAt),
            "actor": event.actor.description, "action": event.action.title, "detail": event.detail,
        ]
    }

    static func display(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space))
    }
}
