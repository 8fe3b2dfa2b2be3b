public import Hummingbird
import HTTPTypes
import NIOCore
import Foundation
import IPMAPIModels
import IPMDomain

/// The JSON API under `/api/v1`, for programs and for the CLI and TUI pointed at a server.
/// A caller authenticates with `Authorization: Bearer <token>` (a personal API token made
/// under Manage → API tokens, or a session token of a terminal sign-in) or with the
/// browser's session cookie, in which case changes also need the `X-CSRF-Token` header the
/// pages carry. Errors are `application/problem+json`.
public struct APIFront: Sendable {
    let web: WebFront
    /// The token API and the UPS proxy for the deployment's services; `nil` serves neither.
    let upsAccess: UPSAccessAPI?

    public init(web: WebFront, upsAccess: UPSAccessAPI? = nil) {
        self.web = web
        self.upsAccess = upsAccess
    }

    public func register(on router: Router<WebRequestContext>) {
        let api = router.group("/api/v1")
        api.get("/companies") { request, _ in
            try await withCaller(request, changes: false) { caller in
                let query = request.uri.queryParameters
                var values = query[values: "status"].map { Substring($0) }
                if let failing = query["failing"].map(String.init) {
                    guard ["true", "false"].contains(failing) else { return Problem(.badRequest, "failing must be true or false").response }
                    if failing == "true" { values.append("failing") }
                }
                guard let matches = CompanyJSON.statusFilter(values) else {
                    let known = ConnectionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    return Problem(.badRequest, "status must be one or more of \(known) or failing, separated by commas").response
                }
                let companies = try await web.access.overview(for: caller.admin).filter(matches)
                return try json(CompanyListJSON(companies: companies.map { CompanyJSON($0, publicURL: web.settings.publicURL) }))
            }
        }
        api.get("/companies/:id") { request, context in
            try await withCaller(request, changes: false) { caller in
                let overview = try await web.access.company(try WebFront.companyReference(context), for: caller.admin)
                return try json(CompanyJSON(overview, publicURL: web.settings.publicURL))
            }
        }
        api.post("/companies/:id/opt-in") { request, context in
            try await withCaller(request, changes: true) { caller in
                let reference = try WebFront.companyReference(context)
                _ = try await web.access.authorize(.optIn, reference, caller.admin)
                let start = try await web.optIn.start(reference, by: caller.admin, session: caller.binding)
                return try json(OptInStartJSON(authorizationURL: start.authorizationURL.absoluteString, expiresAt: start.expiresAt), status: .created)
            }
        }
        api.post("/companies/:id/opt-out") { request, context in
            try await withCaller(request, changes: true) { caller in
                let reference = try WebFront.companyReference(context)
                _ = try await web.access.optOut(reference, by: caller.admin)
                let overview = try await web.access.company(reference, for: caller.admin)
                return try json(CompanyJSON(overview, publicURL: web.settings.publicURL))
            }
        }
        api.get("/companies/:id/events") { request, context in
            try await withCaller(request, changes: false) { caller in
                let query = request.uri.queryParameters
                let limit = query["limit"].map { Int(String($0)) } ?? 50
                guard let limit, (1...500).contains(limit) else { return Problem(.badRequest, "limit must be a whole number from 1 to 500").response }
                var before: AuditCursor?
                if let text = query["before"] {
                    guard let cursor = AuditCursor(text: String(text)) else { return Problem(.badRequest, "before must be the next value of an earlier page").response }
                    before = cursor
                }
                let page = try await web.access.activity(try WebFront.companyReference(context), for: caller.admin, limit: limit, before: before)
                return try json(AuditEventPageJSON(page))
            }
        }
        // The --paste way to finish an opt-in started through the API: the address the
        // browser was sent back to, checked against the caller's own opt-in.
        api.post("/oauth/complete") { request, context in
            try await withCaller(request, changes: true) { caller in
                let body: PasteJSON
                switch try await JSONBody.decode(PasteJSON.self, request, context: context) {
                case .success(let value): body = value
                case .failure(let problem): return problem.response
                }
                guard let url = URL(string: body.redirectedURL), url.query != nil else {
                    return Problem(.badRequest, "redirectedURL must be the full address the browser was sent back to").response
                }
                do {
                    let completion = try await web.optIn.complete(OptInCallback(redirectedURL: url), session: caller.binding)
                    let overview = try await web.access.company(.id(completion.company.id), for: caller.admin)
                    return try json(CompanyJSON(overview, publicURL: web.settings.publicURL))
                } catch let failure as OptInFailure {
                    return Problem(.badRequest, failure.description).response
                }
            }
        }
        registerUPSAccess(on: api)
        registerForcedRefresh(on: api)
        registerWebhooks(on: api)
        registerAccount(on: api)
        registerPersonalTokens(on: api)
        // Anything else under the API reads as problem+json, not as a web page.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            api.on("**", method: method) { _, _ in Problem(.notFound, "There is no such API route.").response }
        }
    }

    /// Who calls: the admin, and what their opt-ins are bound to.
    struct Caller {
        let admin: Admin
        let binding: SessionBinding
    }

    /// The caller behind a bearer token or a session cookie; domain refusals as problems.
    func withCaller(_ request: Request, changes: Bool, _ body: (Caller) async throws -> Response) async throws -> Response {
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let caller: Caller?
        if let bearer {
            let secret = Secret(bearer)
            if let (token, admin) = try await web.apiTokens.resolve(secret) {
                caller = Caller(admin: admin, binding: token.optInBinding)
            } else {
                caller = try await web.sessions.resolve(secret).map { Caller(admin: $0.admin, binding: $0.session.optInBinding) }
            }
        } else if let signedIn = try await web.signedIn(request) {
            if changes, !FormCSRF.isValid(request.headers[HTTPField.Name("X-CSRF-Token")!], cookie: signedIn.token.value, purpose: WebFront.sessionFormPurpose) {
                return Problem(.forbidden, "A change made with the session cookie needs the X-CSRF-Token header of the session's pages.").response
            }
            caller = Caller(admin: signedIn.admin, binding: signedIn.session.optInBinding)
        } else {
            caller = nil
        }
        guard let caller else { return Problem(.unauthorized, "Send Authorization: Bearer <API token or session token>, or sign in.").response }
        do {
            return try await body(caller)
        } catch let error as DomainError where error.isNotFound {
            return Problem(.notFound, "There is no such company, or you do not have access to it.").response
        } catch let error as DomainError where error.isForbidden {
            return Problem(.forbidden, error.description.capitalizedFirst + ".").response
        } catch let error as DomainError where error.isIllegalTransition || error.isInvalidInput {
            return Problem(.conflict, error.description.capitalizedFirst + ".").response
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var headers = Pages.securityHeaders(contentType: "application/json")
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
