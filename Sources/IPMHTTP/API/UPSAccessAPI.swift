import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import IPMAPIModels
public import IPMDomain
public import Logging
import NIOCore

/// What the token API and the UPS proxy need: service credentials (not people) and the
/// engine that hands out valid UPS access tokens.
public struct UPSAccessAPI: Sendable {
    let credentials: ServiceCredentials
    let tokens: any UPSAccessTokenProviding
    let proxy: UPSResourceProxy
    let clock: any IPMDomain.Clock
    let logger: Logger
    /// The largest request body the proxy passes on (UPS's answers are bounded by the forwarder).
    let maxProxyBodyBytes: Int
    let metrics = UPSAccessMetrics()

    public init(
        credentials: ServiceCredentials, tokens: any UPSAccessTokenProviding, forwarding: any UPSResourceForwarding,
        clock: any IPMDomain.Clock, logger: Logger, maxProxyBodyBytes: Int = 10 * 1024 * 1024
    ) {
        self.credentials = credentials
        self.tokens = tokens
        self.proxy = UPSResourceProxy(tokens: tokens, forwarding: forwarding)
        self.clock = clock
        self.logger = logger
        self.maxProxyBodyBytes = maxProxyBodyBytes
    }
}

extension UPSAccessAPI {
    /// `GET /api/v1/companies/{id}/ups/access-token` (service token of scope `access-token`)
    /// and `/api/v1/companies/{id}/ups/proxy/{path…}` (scope `proxy`) for the deployment's
    /// other services, on a group behind `ServiceTokenAuthenticator`.
    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/companies/:id/ups/access-token") { request, context in
            try await metrics.tokenAPI.measured { try await accessToken(request, context) }
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            group.on("/companies/:id/ups/proxy/**", method: method) { request, context in
                try await metrics.proxy.measured { try await proxied(request, context) }
            }
        }
    }

    /// The answer and the outcome label its metric carries.
    private func accessToken(_ request: Request, _ context: WebRequestContext) async throws -> (Response, String) {
        let (credential, company): (ServiceCredential, CompanyID)
        switch serviceCall(request, context, scope: .accessToken) {
        case .success(let call): (credential, company) = call
        case .failure(let refusal): return (refusal.response, refusal.outcome)
        }
        // Made only when a line is logged: the answer from memory is this route's hot path.
        var metadata: Logger.Metadata { ["service": "\(credential.name)", "company": "\(company)"] }
        do {
            let issued = try await tokens.accessToken(for: company)
            logger.debug(
                "token API: access token handed out", metadata: metadata.merging(["expires_at": "\(issued.expiresAt.formatted(.iso8601))"]) { $1 })
            let expiresIn = max(0, Int(issued.expiresAt.timeIntervalSince(clock.now()).rounded(.down)))
            let answer = AccessTokenJSON(accessToken: issued.token.value, expiresAt: issued.expiresAt, expiresIn: expiresIn)
            return (try .json(encoded: answer.encodedJSON()), "ok")
        } catch let error as DomainError where error.isNotFound {
            return (Problem(.notFound, "There is no such company.").response, "not_found")
        } catch let failure as AccessTokenFailure {
            let refusal = Self.refusal(failure)
            logger.notice("token API: no access token", metadata: metadata.merging(["outcome": "\(refusal.outcome)", "reason": "\(failure)"]) { $1 })
            return (refusal.response, refusal.outcome)
        }
    }

    /// The proxy: the caller's request without its credentials, to UPS with the company's
    /// token; UPS's status, content type and body back. The metric label is UPS's status
    /// class (`2xx`…`5xx`) or why no call was made.
    private func proxied(_ request: Request, _ context: WebRequestContext) async throws -> (Response, String) {
        let (credential, company): (ServiceCredential, CompanyID)
        switch serviceCall(request, context, scope: .proxy) {
        case .success(let call): (credential, company) = call
        case .failure(let refusal): return (refusal.response, refusal.outcome)
        }
        // The path exactly as sent (still percent-encoded), after /api/v1/companies/{id}/ups/proxy/.
        let target: UPSResourceTarget
        do {
            let path = request.uri.path.split(separator: "/", maxSplits: 7, omittingEmptySubsequences: false).dropFirst(7).joined(separator: "/")
            target = try UPSResourceTarget(path: path, query: request.uri.query)
        } catch {
            return (Problem(.badRequest, "The UPS \(error.description).").response, "bad_request")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxProxyBodyBytes)
        } catch is NIOTooManyBytesError {
            return (
                Problem(.contentTooLarge, "The request body is larger than the proxy passes on (\(maxProxyBodyBytes) bytes).").response, "too_large"
            )
        }
        let forwarded = UPSResourceRequest(
            method: request.method.rawValue, target: target, headers: Self.endToEndHeaders(request.headers), body: Array(buffer: body)
        )
        var metadata: Logger.Metadata = [
            "service": "\(credential.name)", "company": "\(company)", "method": "\(request.method)", "target": "\(target)",
        ]
        do {
            let (answer, retried, freshToken) = try await proxy.forward(forwarded, for: company)
            metadata["status"] = "\(answer.status)"
            metadata["retried"] = "\(retried)"
            logger.debug("UPS proxy: forwarded", metadata: metadata)
            if retried { metrics.proxyRetried() }
            if freshToken, answer.isInvalidAuthentication {
                logger.warning(
                    "UPS proxy: UPS refused an access token issued moments ago; the API may not be enabled for IPM's UPS app", metadata: metadata)
                return (Self.notEnabledProblem(answer).response, "4xx")
            }
            var headers: HTTPFields = [.cacheControl: "no-store"]
            if let contentType = answer.contentType { headers[.contentType] = contentType }
            return (
                Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body))),
                "\(answer.status / 100)xx"
            )
        } catch let error as DomainError where error.isNotFound {
            return (Problem(.notFound, "There is no such company.").response, "not_found")
        } catch let failure as AccessTokenFailure {
            let refusal = Self.refusal(failure)
            logger.notice("UPS proxy: no access token", metadata: metadata.merging(["reason": "\(failure)"]) { $1 })
            return (refusal.response, refusal.outcome)
        } catch let failure as UPSResourceForwardingError {
            logger.notice("UPS proxy: no answer from UPS", metadata: metadata.merging(["reason": "\(failure)"]) { $1 })
            switch failure.kind {
            case .timeout: return (Problem(.gatewayTimeout, "UPS did not answer in time: \(failure.message).").response, "timeout")
            case .unreachable, .responseTooLarge:
                return (Problem(.badGateway, "No usable answer from UPS: \(failure.message).").response, "bad_gateway")
            }
        }
    }

    /// UPS's 401 `250002` to a token it just issued: the status stays UPS's, the body says the
    /// two things it can mean (decision 41).
    static func notEnabledProblem(_ answer: UPSResourceResponse) -> Problem {
        let said = answer.upsErrors.first.map { " (\($0.code.prefix(20)) \($0.message.prefix(200)))".printable } ?? ""
        return Problem(
            .unauthorized,
            """
            UPS refused the company's access token for this API\(said), although IPM renewed it moments ago. \
            Either this API is not enabled for IPM's app at UPS — an operator adds it to the app on developer.ups.com — \
            or UPS does not accept the company's authorization for it (an admin of the company opts in again).
            """)
    }

    /// What the proxy never passes on: the caller's own credentials and cookies, the host,
    /// and hop-by-hop headers (RFC 9110 §7.6.1), including those the Connection header names.
    static func endToEndHeaders(_ headers: HTTPFields) -> [(name: String, value: String)] {
        var dropped: Set<String> = [
            "authorization", "cookie", "host", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "x-csrf-token",
        ]
        for value in headers[values: .connection] {
            for name in value.split(separator: ",") { dropped.insert(name.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        return headers.filter { !dropped.contains($0.name.canonicalName) }.map { (name: $0.name.rawName, value: $0.value) }
    }

    /// Why a service is not given what it asked for: the problem, and a metric label.
    struct ServiceRefusal: Error {
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
    static func refusal(_ failure: AccessTokenFailure) -> ServiceRefusal {
        switch failure {
        case .notAuthenticated(.reauthorizationRequired, let reason):
            ServiceRefusal(
                problem: Problem(
                    .conflict,
                    "The company must re-authorize IPM at UPS: an admin of the company opts in again. \(reason ?? "")".trimmingCharacters(
                        in: .whitespaces)), outcome: "not_authenticated")
        case .notAuthenticated(let status, _):
            ServiceRefusal(
                problem: Problem(
                    .conflict, "The company is not authenticated with UPS (\(status.title)): an admin of the company must opt in first."),
                outcome: "not_authenticated")
        case .unavailable(let reason):
            ServiceRefusal(
                problem: Problem(.serviceUnavailable, "UPS cannot renew the company's access token right now; try again later. \(reason)"),
                outcome: "unavailable", headers: [.retryAfter: "30"])
        case .misconfigured:
            ServiceRefusal(
                problem: Problem(
                    .badGateway, "UPS refused IPM's client credentials; an operator must check IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET."),
                outcome: "misconfigured")
        case .blocked(let reason, let retryAt):
            // Not 409: no admin of IPM can fix it, and IPM returns to serving tokens by itself
            // once UPS lifts the block (DECISIONS.md 42).
            ServiceRefusal(
                problem: Problem(
                    .serviceUnavailable,
                    "UPS has blocked this merchant (403 Blocked Merchant), so IPM hands out no token and sends nothing to UPS for it; opting in again does not help. IPM keeps the company's tokens and tries UPS again\(retryAt.map { " at \($0.formatted(.iso8601))" } ?? " later"). \(reason)"
                ),
                outcome: "blocked", headers: [.retryAfter: "\(retryAfter(retryAt))"]
            )
        }
    }

    /// Whole seconds until `date`, from a minute to a day (a block lasts; callers need not hammer).
    private static func retryAfter(_ date: Date?) -> Int {
        guard let date else { return 3600 }
        return min(86_400, max(60, Int(date.timeIntervalSinceNow.rounded(.up))))
    }

    /// Who calls (a service credential with `scope`) and for which company, or the refusal.
    private func serviceCall(
        _ request: Request, _ context: WebRequestContext, scope: ServiceScope
    ) -> Result<(ServiceCredential, CompanyID), ServiceRefusal> {
        let credential: ServiceCredential
        switch serviceCaller(request, context, scope: scope) {
        case .success(let found): credential = found
        case .failure(let refusal): return .failure(refusal)
        }
        guard let company = context.parameters.get("id").flatMap(CompanyID.init) else {
            return .failure(ServiceRefusal(problem: Problem(.notFound, "There is no such company."), outcome: "not_found"))
        }
        return .success((credential, company))
    }

    /// The live service credential the authenticators found, when it carries `scope`. An
    /// admin's token (API or session) is recognised and refused 403, not mistaken for nobody.
    func serviceCaller(_ request: Request, _ context: WebRequestContext, scope: ServiceScope) -> Result<ServiceCredential, ServiceRefusal> {
        var howTo: String { "ipm service-token create NAME --scope \(scope.rawValue)" }
        switch context.identity {
        case .service(let credential)?:
            guard credential.scopes.contains(scope) else {
                return .failure(
                    ServiceRefusal(
                        problem: Problem(
                            .forbidden, "The service token '\(credential.name)' does not carry the \(scope.rawValue) scope; make one with \(howTo)."),
                        outcome: "forbidden"))
            }
            return .success(credential)
        case .admin?:
            return .failure(
                ServiceRefusal(
                    problem: Problem(
                        .forbidden, "This route is for the deployment's services, not for admins: use a service token made with \(howTo)."),
                    outcome: "forbidden"))
        case nil:
            guard request.headers.bearer != nil else {
                return .failure(Self.unauthorized("Send Authorization: Bearer <service token> (made with \(howTo))."))
            }
            return .failure(Self.unauthorized("The service token is unknown or revoked."))
        }
    }

    private static func unauthorized(_ detail: String) -> ServiceRefusal {
        ServiceRefusal(problem: Problem(.unauthorized, detail), outcome: "unauthorized", headers: [.wwwAuthenticate: #"Bearer realm="ipm-services""#])
    }
}
