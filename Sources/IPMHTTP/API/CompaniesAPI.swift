import Foundation
import Hummingbird
import IPMAPIModels
import IPMDomain

/// The caller's companies: the list (filtered by status), one company, its opt-out, its
/// activity, and a company admin's forced refresh ("Refresh now").
struct CompaniesAPI: Sendable {
    let access: CompanyAccess
    let forcedRefresh: ForcedRefresh
    let publicURL: URL

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/companies") { request, context -> Response in
            let caller = try context.requireAdmin()
            var values = request.uri.queryParameters[values: "status"].map { Substring($0) }
            if try request.uri.flag("failing") == true { values.append("failing") }
            guard let matches = CompanyJSON.statusFilter(values) else {
                let known = ConnectionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw HTTPRefusal.badRequest("status must be one or more of \(known) or failing, separated by commas")
            }
            let companies = try await access.overview(for: caller.admin).filter(matches)
            return try .json(CompanyListJSON(companies: companies.map { CompanyJSON($0, publicURL: publicURL) }))
        }

        group.get("/companies/:id") { _, context -> Response in
            let overview = try await access.company(try context.companyReference(), for: try context.requireAdmin().admin)
            return try .json(CompanyJSON(overview, publicURL: publicURL))
        }

        group.post("/companies/:id/opt-out") { _, context -> Response in
            let caller = try context.requireAdmin()
            let reference = try context.companyReference()
            _ = try await access.optOut(reference, by: caller.admin)
            return try .json(CompanyJSON(try await access.company(reference, for: caller.admin), publicURL: publicURL))
        }

        group.get("/companies/:id/events") { request, context -> Response in
            let caller = try context.requireAdmin()
            let limit = try request.uri.limit()
            var before: AuditCursor?
            if let text = request.uri.queryParameters["before"] {
                guard let cursor = AuditCursor(text: String(text)) else {
                    throw HTTPRefusal.badRequest("before must be the next value of an earlier page")
                }
                before = cursor
            }
            let page = try await access.activity(try context.companyReference(), for: caller.admin, limit: limit, before: before)
            return try .json(AuditEventPageJSON(page))
        }

        // The forced refresh, answered with its outcome (problem+json with the outcome's word
        // and sentence when it failed).
        group.post("/companies/:id/ups/refresh") { _, context -> Response in
            let caller = try context.requireAdmin()
            let reference = try context.companyReference()
            let result = try await forcedRefresh.refresh(reference, by: caller.admin)
            let answer = ForcedRefreshAnswer(result, interval: forcedRefresh.interval)
            var response: Response
            if answer.succeeded {
                let overview = try await access.company(reference, for: caller.admin)
                response = try .json(
                    ForcedRefreshJSON(
                        outcome: answer.outcome, detail: answer.message, accessTokenExpiresAt: answer.accessTokenExpiresAt,
                        company: CompanyJSON(overview, publicURL: publicURL)
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
