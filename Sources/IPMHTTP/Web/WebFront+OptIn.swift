import Foundation
import Hummingbird
import IPMDomain
import Logging

extension WebFront {
    /// Added to the failure page when the callback came from another session: the CLI's
    /// `--paste` mode reads the redirected URL from there.
    static let pasteHint = "If you started this opt-in from the command line with --paste, copy this page's address into the terminal."

    func registerOptIn(on router: Router<WebRequestContext>) {
        // The OAuth choice of the UPS API panel, and Continue on the start URL's page.
        router.post("/companies/:id/opt-in") { request, context -> Response in
            let reference = try? Self.companyReference(context)
            return try await withAdmin(request, returnTo: reference.map(Self.apiPath) ?? "/settings") { signedIn in
                guard let reference else { return notFound(signedIn) }
                guard try await postedForm(request, context: context, by: signedIn) != nil else {
                    return formExpired(signedIn, back: Self.apiPath(reference))
                }
                // The flow checks the rights too; asking here keeps a viewer's answer the same whatever the flow.
                _ = try await access.authorize(.optIn, reference, signedIn.admin)
                let start = try await optIn.start(reference, by: signedIn.admin, session: signedIn.session.optInBinding)
                return Self.redirect(start.authorizationURL.absoluteString)
            }
        }

        // IPM's start URL for an opt-in begun in a terminal: signed in here, confirmed here,
        // so the opt-in is bound to this browser's session.
        router.get("/oauth/ups/start") { request, _ -> Response in
            try await withAdmin(request) { signedIn in
                guard let text = request.uri.queryParameters["company"], let id = CompanyID(String(text)) else {
                    return notFound(signedIn)
                }
                let (company, _) = try await access.authorize(.optIn, .id(id), signedIn.admin)
                return pages.render("startConfirmation", title: "Opt in \(company.name.value)?", [
                    "id": company.id.description, "name": company.name.value, "csrf": signedIn.csrf,
                    "displayName": signedIn.admin.displayName,
                ], signedIn: signedIn)
            }
        }

        router.get("/oauth/ups/callback") { request, _ -> Response in
            try await withAdmin(request) { signedIn in
                let query = request.uri.queryParameters
                let callback = OptInCallback(
                    code: query["code"].map { String($0) }, state: query["state"].map { String($0) },
                    error: query["error"].map { String($0) }, errorDescription: query["error_description"].map { String($0) }
                )
                do {
                    let completion = try await optIn.complete(callback, session: signedIn.session.optInBinding)
                    return outcome(succeeded: true, "Successfully Opted-In to UPS Online Tools (OAuth)", close: Self.apiPath(.id(completion.company.id)), signedIn: signedIn)
                } catch let failure as OptInFailure {
                    logger.notice("opt-in not completed", metadata: ["admin": "\(signedIn.admin.signInName.value)", "reason": "\(failure)"])
                    return outcome(
                        succeeded: false, failure.description, hint: failure == .foreignSession ? Self.pasteHint : nil,
                        close: "/settings", signedIn: signedIn, status: .badRequest
                    )
                }
            }
        }
    }
}
