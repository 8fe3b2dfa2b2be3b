import Foundation
import Hummingbird
import HTTPTypes
public import IPMDomain
public import Logging

/// What the token API and the UPS proxy need: service credentials (not people) and the
/// engine that hands out valid UPS access tokens.
public struct UPSAccessAPI: Sendable {
    let credentials: ServiceCredentials
    let tokens: any UPSAccessTokenProviding
    let clock: any IPMDomain.Clock
    let logger: Logger

    public init(credentials: ServiceCredentials, tokens: any UPSAccessTokenProviding, clock: any IPMDomain.Clock, logger: Logger) {
        self.credentials = credentials
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
    }
}

extension APIFront {
    /// `GET /api/v1/companies/{id}/ups/access-token` for the deployment's other services,
    /// with a service token of scope `access-token`.
    func registerUPSAccess(on api: RouterGroup<WebRequestContext>) {
        guard let upsAccess else { return }
        api.get("/companies/:id/ups/access-token") { request, context in
            let start = ContinuousClock.now
            do {
                let (response, outcome) = try await accessToken(request, context, upsAccess)
                UPSAccessMetrics.tokenAPI(outcome, since: start)
                return response
            } catch {
                UPSAccessMetrics.tokenAPI("error", since: start)
                throw error
            }
        }
    }

    /// The answer and the outcome label its metric carries.
    private func accessToken(_ request: Request, _ context: WebRequestContext, _ upsAccess: UPSAccessAPI) async throws -> (Response, String) {
        let credential: ServiceCredential
        switch try await serviceCaller(request, scope: .accessToken, upsAccess) {
        case .success(let found): credential = found
        case .failure(let refusal): return (refusal.response, refusal.outcome)
        }
        guard let company = context.parameters.get("id").flatMap(CompanyID.init) else {
            return (Problem(.notFound, "There is no such company.").response, "not_found")
        }
        var metadata: Logger.Metadata = ["service": "\(credential.name)", "company": "\(company)"]
        do {
            let issued = try await upsAccess.tokens.accessToken(for: company)
            metadata["expires_at"] = "\(issued.expiresAt.formatted(.iso8601))"
            upsAccess.logger.debug("token API: access token handed out", metadata: metadata)
            let expiresIn = max(0, Int(issued.expiresAt.timeIntervalSince(upsAccess.clock.now()).rounded(.down)))
            return (try json(AccessTokenJSON(accessToken: issued.token.value, expiresAt: issued.expiresAt, expiresIn: expiresIn)), "ok")
        } catch let error as DomainError where error.isNotFound {
            return (Problem(.notFound, "There is no such company.").response, "not_found")
        } catch let failure as AccessTokenFailure {
            let refusal = Self.refusal(failure)
            metadata["outcome"] = "\(refusal.outcome)"
            upsAccess.logger.notice("token API: no access token", metadata: metadata.merging(["reason": "\(failure)"]) { $1 })
            return (refusal.response, refusal.outcome)
        }
    }

    /// Why a service is not given what it asked for: the problem, and a metric label.
    struct Refusal: Error {
        let problem: Problem
        let outcome: String
        var headers: HTTPFields = [:]

        var response: Response {
            var response = problem.response
            response.headers.append(contentsOf: headers)
            return response
        }
    }

    /// A company without a usable token: 409 (it must opt in or re-authorize), 503 (UPS is
    /// failing for now; try again) or 502 (IPM's own UPS credentials are wrong).
    static func refusal(_ failure: AccessTokenFailure) -> Refusal {
        switch failure {
        case .notAuthenticated(.reauthorizationRequired, let reason):
            Refusal(problem: Problem(.conflict, "The company must re-authorize IPM at UPS: an admin of the company opts in again. \(reason ?? "")".trimmingCharacters(in: .whitespaces)), outcome: "not_authenticated")
        case .notAuthenticated(let status, _):
            Refusal(problem: Problem(.conflict, "The company is not authenticated with UPS (\(status.title)): an admin of the company must opt in first."), outcome: "not_authenticated")
        case .unavailable(let reason):
            Refusal(problem: Problem(.serviceUnavailable, "UPS cannot renew the company's access token right now; try again later. \(reason)"), outcome: "unavailable", headers: [.retryAfter: "30"])
        case .misconfigured:
            Refusal(problem: Problem(.badGateway, "UPS refused IPM's client credentials; an operator must check IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET."), outcome: "misconfigured")
        }
    }

    /// The live service credential behind the bearer token when it carries `scope`. An
    /// admin's token (API or session) is recognised and refused 403, not mistaken for nobody.
    func serviceCaller(_ request: Request, scope: ServiceScope, _ upsAccess: UPSAccessAPI) async throws -> Result<ServiceCredential, Refusal> {
        let howTo = "ipm service-token create NAME --scope \(scope.rawValue)"
        guard let bearer = request.headers[.authorization].flatMap({ $0.hasPrefix("Bearer ") ? Secret(String($0.dropFirst(7))) : nil }) else {
            return .failure(Self.unauthorized("Send Authorization: Bearer <service token> (made with \(howTo))."))
        }
        if let credential = try await upsAccess.credentials.authenticate(bearer) {
            guard credential.scopes.contains(scope) else {
                return .failure(Refusal(problem: Problem(.forbidden, "The service token '\(credential.name)' does not carry the \(scope.rawValue) scope; make one with \(howTo)."), outcome: "forbidden"))
            }
            return .success(credential)
        }
        if !bearer.value.hasPrefix(ServiceCredential.tokenPrefix), try await isAdminToken(bearer) {
            return .failure(Refusal(problem: Problem(.forbidden, "This route is for the deployment's services, not for admins: use a service token made with \(howTo)."), outcome: "forbidden"))
        }
        return .failure(Self.unauthorized("The service token is unknown or revoked."))
    }

    private func isAdminToken(_ bearer: Secret) async throws -> Bool {
        if try await web.apiTokens.resolve(bearer) != nil { return true }
        return try await web.sessions.resolve(bearer) != nil
    }

    private static func unauthorized(_ detail: String) -> Refusal {
        Refusal(problem: Problem(.unauthorized, detail), outcome: "unauthorized", headers: [.wwwAuthenticate: #"Bearer realm="ipm-services""#])
    }
}

/// `GET /api/v1/companies/{id}/ups/access-token`: OAuth's own field names.
struct AccessTokenJSON: Encodable, Sendable {
    let accessToken: String
    let tokenType = "Bearer"
    let expiresAt: Date
    /// Whole seconds from now.
    let expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresAt = "expires_at"
        case expiresIn = "expires_in"
    }
}
