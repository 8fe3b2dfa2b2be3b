import Foundation
import Hummingbird
import IPMDomain

extension WebFront {
    /// "Refresh now" on the company page (company admins): the forced refresh, and the
    /// company page again with its outcome.
    func registerForcedRefresh(on router: Router<WebRequestContext>) {
        router.post("/companies/:id/refresh") { request, context -> Response in
            let reference = try? Self.companyReference(context)
            return try await withAdmin(request, returnTo: reference.map(Self.companyPath) ?? "/settings") { signedIn in
                guard let reference else { return notFound(signedIn) }
                guard try await postedForm(request, context: context, by: signedIn) != nil else {
                    return formExpired(signedIn, back: Self.companyPath(reference))
                }
                let result = try await forcedRefresh.refresh(reference, by: signedIn.admin)
                let answer = ForcedRefreshAnswer(result, interval: forcedRefresh.interval)
                return try await companyPage(
                    reference, signedIn: signedIn, refreshNotice: ["succeeded": answer.succeeded, "message": answer.message], status: answer.status
                )
            }
        }
    }

    static func companyPath(_ reference: CompanyReference) -> String {
        if case .id(let id) = reference { return "/companies/\(id)" }
        return "/settings"
    }
}
