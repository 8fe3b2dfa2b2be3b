import Foundation
import Hummingbird
import IPMDomain
import Logging

/// The opt-in on the web: the OAuth choice of the UPS API panel, IPM's start URL for an
/// opt-in begun in a terminal, and UPS's callback.
struct OptInPages: Sendable {
    let optIn: any UPSOptInFlow
    let access: CompanyAccess
    let pages: Pages
    let logger: Logger

    /// Added to the failure page when the callback came from another session: the CLI's
    /// `--paste` mode reads the redirected URL from there.
    static let pasteHint = "If you started this opt-in from the command line with --paste, copy this page's address into the terminal."

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        // The OAuth choice of the UPS API panel, and Continue on the start URL's page. The
        // flow decides who may opt in (DECISIONS.md 53).
        group.post("/companies/:id/opt-in") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let reference = try context.companyReference()
            guard try await PostedForm.read(request, context: context, by: signedIn) != nil else {
                return pages.formExpired(signedIn, back: CompanyPages.apiPath(reference))
            }
            let start = try await optIn.start(reference, by: signedIn.admin, session: signedIn.optInBinding)
            return .redirect(start.authorizationURL.absoluteString)
        }

        // IPM's start URL for an opt-in begun in a terminal: signed in here, confirmed here,
        // so the opt-in is bound to this browser's session.
        group.get("/oauth/ups/start") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            guard let text = request.uri.queryParameters["company"], let id = CompanyID(String(text)) else { throw HTTPRefusal.notFound }
            let (company, _) = try await access.authorize(.optIn, .id(id), signedIn.admin)
            return pages.render(
                "startConfirmation", title: "Opt in \(company.name.value)?",
                [
                    "id": company.id.description, "name": company.name.value, "csrf": signedIn.csrf,
                    "displayName": signedIn.admin.displayName,
                ], signedIn: signedIn)
        }

        group.get("/oauth/ups/callback") { request, context -> Response in
            let signedIn = try context.requireAdmin()
            let query = request.uri.queryParameters
            let callback = OptInCallback(
                code: query["code"].map { String($0) }, state: query["state"].map { String($0) },
                error: query["error"].map { String($0) }, errorDescription: query["error_description"].map { String($0) }
            )
            do {
                let completion = try await optIn.complete(callback, session: signedIn.optInBinding)
                return pages.outcome(
                    succeeded: true, "Successfully Opted-In to UPS Online Tools (OAuth)", close: CompanyPages.apiPath(.id(completion.company.id)),
                    signedIn: signedIn)
            } catch let failure as OptInFailure {
                logger.notice("opt-in not completed", metadata: ["admin": "\(signedIn.admin.signInName.value)", "reason": "\(failure)"])
                return pages.outcome(
                    succeeded: false, failure.description, hint: failure == .foreignSession ? Self.pasteHint : nil,
                    close: "/settings", signedIn: signedIn, status: .badRequest
                )
            }
        }
    }
}
