import Foundation
import Hummingbird
import HTTPTypes
import IPMAPIModels
import IPMDomain

extension APIFront {
    /// `POST /api/v1/companies/{id}/ups/refresh`: a company admin's forced refresh, answered
    /// with its outcome (problem+json with the outcome's word and sentence when it failed).
    func registerForcedRefresh(on api: RouterGroup<WebRequestContext>) {
        api.post("/companies/:id/ups/refresh") { request, context in
            try await withCaller(request, changes: true) { caller in
                let reference = try WebFront.companyReference(context)
                let result = try await web.forcedRefresh.refresh(reference, by: caller.admin)
                let answer = ForcedRefreshAnswer(result, interval: web.forcedRefresh.interval)
                var response: Response
                if answer.succeeded {
                    let overview = try await web.access.company(reference, for: caller.admin)
                    response = try json(ForcedRefreshJSON(
                        outcome: answer.outcome, detail: answer.message, accessTokenExpiresAt: answer.accessTokenExpiresAt, company: CompanyJSON(overview, publicURL: web.settings.publicURL)
                    ))
                } else {
                    var problem = Problem(answer.status, answer.message)
                    problem.outcome = answer.outcome
                    response = problem.response
                }
                if let seconds = answer.retryAfter { response.headers[.retryAfter] = "\(seconds)" }
                return response
            }
        }
    }
}
