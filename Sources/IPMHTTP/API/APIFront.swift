public import Hummingbird
import HTTPTypes
import NIOCore
import Foundation
import IPMDomain

/// The JSON API under `/api/v1`, for programs and for the CLI and TUI pointed at a server.
/// A caller authenticates with `Authorization: Bearer <session token>` (a terminal sign-in)
/// or with the browser's session cookie, in which case changes also need the
/// `X-CSRF-Token` header the pages carry. Errors are `application/problem+json`.
public struct APIFront: Sendable {
    let web: WebFront

    public init(web: WebFront) { self.web = web }

    public func register(on router: Router<WebRequestContext>) {
        let api = router.group("/api/v1")
        api.get("/companies") { request, _ in
            try await withCaller(request, changes: false) { signedIn in
                let companies = try await web.access.overview(for: signedIn.admin)
                return try json(CompanyListJSON(companies: companies.map(CompanyJSON.init)))
            }
        }
        api.get("/companies/:id") { request, context in
            try await withCaller(request, changes: false) { signedIn in
                let overview = try await web.access.company(try WebFront.companyReference(context), for: signedIn.admin)
                return try json(CompanyJSON(overview))
            }
        }
        api.post("/companies/:id/opt-in") { request, context in
            try await withCaller(request, changes: true) { signedIn in
                let reference = try WebFront.companyReference(context)
                _ = try await web.access.authorize(.optIn, reference, signedIn.admin)
                let start = try await web.optIn.start(reference, by: signedIn.admin, session: signedIn.session.optInBinding)
                return try json(OptInStartJSON(authorizationURL: start.authorizationURL.absoluteString, expiresAt: start.expiresAt), status: .created)
            }
        }
        api.post("/companies/:id/opt-out") { request, context in
            try await withCaller(request, changes: true) { signedIn in
                let reference = try WebFront.companyReference(context)
                _ = try await web.access.optOut(reference, by: signedIn.admin)
                let overview = try await web.access.company(reference, for: signedIn.admin)
                return try json(CompanyJSON(overview))
            }
        }
        api.get("/companies/:id/events") { request, context in
            try await withCaller(request, changes: false) { signedIn in
                let query = request.uri.queryParameters
                let limit = query["limit"].map { Int(String($0)) } ?? 50
                guard let limit, (1...500).contains(limit) else { return Problem(.badRequest, "limit must be a whole number from 1 to 500").response }
                var before: AuditCursor?
                if let text = query["before"] {
                    guard let cursor = WebFront.cursor(String(text)) else { return Problem(.badRequest, "before must be the next value of an earlier page").response }
                    before = cursor
                }
                let events = try await web.access.activity(try WebFront.companyReference(context), for: signedIn.admin, limit: limit + 1, before: before)
                let shown = Array(events.prefix(limit))
                let next = events.count > limit ? shown.last.map { WebFront.cursorText(AuditCursor(after: $0)) } : nil
                return try json(AuditEventPageJSON(events: shown.map(AuditEventJSON.init), next: next))
            }
        }
        // Anything else under the API reads as problem+json, not as a web page.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            api.on("**", method: method) { _, _ in Problem(.notFound, "There is no such API route.").response }
        }
    }

    /// The caller behind a bearer token or a session cookie; domain refusals as problems.
    private func withCaller(_ request: Request, changes: Bool, _ body: (SignedIn) async throws -> Response) async throws -> Response {
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let caller: SignedIn?
        if let bearer {
            caller = try await web.sessions.resolve(Secret(bearer)).map { SignedIn(session: $0.session, admin: $0.admin, token: Secret(bearer)) }
        } else {
            caller = try await web.signedIn(request)
            if let caller, changes, !FormCSRF.isValid(request.headers[HTTPField.Name("X-CSRF-Token")!], cookie: caller.token.value, purpose: WebFront.sessionFormPurpose) {
                return Problem(.forbidden, "A change made with the session cookie needs the X-CSRF-Token header of the session's pages.").response
            }
        }
        guard let caller else { return Problem(.unauthorized, "Sign in: send Authorization: Bearer <session token>, or the session cookie.").response }
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

    private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var headers = Pages.securityHeaders(contentType: "application/json")
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
