import Foundation
import HTTPTypes
import Hummingbird
import IPMAPIModels
import IPMDomain

/// The caller's own account through the API, what `ipm --server` needs besides companies:
/// a terminal sign-in (a session of kind `cli`, throttled like the web's sign-in), sign-out,
/// who the caller is, and their notifications.
extension APIFront {
    func registerAccount(on api: RouterGroup<WebRequestContext>) {
        api.post("/sessions") { request, context in
            let body: SignInJSON
            switch try await JSONBody.decode(SignInJSON.self, request, context: context) {
            case .success(let value): body = value
            case .failure(let problem): return problem.response
            }
            do {
                let issued = try await web.sessions.signIn(
                    body.signInName, password: Password(unchecked: body.password), clientAddress: context.clientAddress, kind: .cli
                )
                return try json(
                    NewSessionJSON(token: issued.token.value, admin: AccountJSON(issued.admin), session: SessionJSON(issued.session)),
                    status: .created
                )
            } catch let failure as SignInFailure {
                // The web's words, which never say whether the name exists.
                switch failure {
                case .invalidCredentials: return Problem(.unauthorized, failure.description).response
                case .throttled, .busy:
                    var response = Problem(failure == .busy ? .serviceUnavailable : .tooManyRequests, failure.description).response
                    response.headers[.retryAfter] = failure.retryAfterHeader
                    return response
                }
            }
        }
        api.delete("/sessions/current") { request, _ in
            try await withCaller(request, changes: true) { _ in
                guard let token = sessionToken(request), try await web.sessions.resolve(token) != nil else {
                    return Problem(.badRequest, "This is a personal API token, not a session; revoke it under Manage → API tokens.").response
                }
                try await web.sessions.signOut(token)
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            }
        }
        api.get("/me") { request, _ in
            try await withCaller(request, changes: false) { caller in
                var session: (session: AdminSession, admin: Admin)?
                if let token = sessionToken(request) { session = try await web.sessions.resolve(token) }
                return try json(MeJSON(
                    admin: AccountJSON(caller.admin), session: session.map { SessionJSON($0.session) },
                    publicURL: web.settings.publicURL.absoluteString
                ))
            }
        }
        api.get("/notifications") { request, _ in
            try await withCaller(request, changes: false) { caller in
                let query = request.uri.queryParameters
                let limit = query["limit"].map { Int(String($0)) } ?? 50
                guard let limit, (1...500).contains(limit) else { return Problem(.badRequest, "limit must be a whole number from 1 to 500").response }
                let unread = query["unread"].map { String($0) } ?? "false"
                guard ["true", "false"].contains(unread) else { return Problem(.badRequest, "unread must be true or false").response }
                let list = try await web.notifications.list(for: caller.admin, unreadOnly: unread == "true", limit: limit)
                return try json(NotificationListJSON(notifications: list.map { NotificationJSON($0, publicURL: web.settings.publicURL) }))
            }
        }
        api.post("/notifications/read") { request, _ in
            try await withCaller(request, changes: true) { caller in
                try json(MarkedReadJSON(marked: try await web.notifications.markAllRead(by: caller.admin)))
            }
        }
    }

    /// The session token the request carries: its bearer token, else its session cookie.
    private func sessionToken(_ request: Request) -> Secret? {
        if let bearer = request.headers[.authorization].flatMap({ $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }) {
            return Secret(bearer)
        }
        return request.cookies[web.settings.sessionCookie].map { Secret($0.value) }
    }
}

extension SignInFailure {
    /// `Retry-After` for a refusal that passes: whole seconds, at least 1.
    var retryAfterHeader: String? {
        switch self {
        case .throttled(let seconds): String(max(1, Int(seconds.rounded(.up))))
        case .busy: "1"
        case .invalidCredentials: nil
        }
    }
}
