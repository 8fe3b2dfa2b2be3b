import HTTPTypes
public import Hummingbird
import HummingbirdCore
import IPMDomain

/// The JSON API under `/api/v1`, for programs and for the CLI and TUI pointed at a server.
/// A caller authenticates with `Authorization: Bearer <token>` (a personal API token made
/// under Manage → API tokens, or a session token of a terminal sign-in) or with the
/// browser's session cookie, in which case changes also need the `X-CSRF-Token` header the
/// pages carry; the deployment's services use service tokens for the token API and the UPS
/// proxy. Errors are `application/problem+json`, mapped in one place (`HTTPRefusal`).
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
            .add(middleware: ProblemMiddleware())
            .add(middleware: InputEncodingMiddleware())
        // Admins: a bearer token (API or session), else the browser's session cookie.
        let admins = api.group()
            .add(middleware: AdminTokenAuthenticator(apiTokens: web.apiTokens, sessions: web.sessions))
            .add(middleware: SessionCookieAuthenticator(sessions: web.sessions, cookieName: web.settings.sessionCookie, yieldsToBearer: true))
            .add(middleware: AdminRequiredMiddleware())
        let publicURL = web.settings.publicURL

        AccountAPI(sessions: web.sessions, publicURL: publicURL).addRoutes(signIn: api, account: admins)
        CompaniesAPI(access: web.access, forcedRefresh: web.forcedRefresh, publicURL: publicURL).addRoutes(to: admins)
        OptInAPI(optIn: web.optIn, access: web.access, publicURL: publicURL).addRoutes(to: admins)
        WebhooksAPI(webhooks: web.webhooks, access: web.access).addRoutes(to: admins)
        NotificationsAPI(notifications: web.notifications, publicURL: publicURL).addRoutes(to: admins)
        APITokensAPI(apiTokens: web.apiTokens).addRoutes(to: admins)
        if let upsAccess {
            // Services: a service token; an admin's token is recognised, to be refused by name.
            let services = api.group()
                .add(middleware: ServiceTokenAuthenticator(credentials: upsAccess.credentials))
                .add(middleware: AdminTokenAuthenticator(apiTokens: web.apiTokens, sessions: web.sessions))
            upsAccess.addRoutes(to: services)
        }
        // Anything else under the API reads as problem+json, not as a web page.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            api.on("**", method: method) { _, _ -> Response in throw HTTPRefusal(.notFound, title: "Not found", "There is no such API route.") }
        }
    }
}

extension URI {
    /// `limit=` from 1 to 500 (50 when absent).
    func limit() throws -> Int {
        let limit = queryParameters["limit"].map { Int(String($0)) } ?? 50
        guard let limit, (1...500).contains(limit) else { throw HTTPRefusal.badRequest("limit must be a whole number from 1 to 500") }
        return limit
    }

    /// A `true`/`false` query parameter; `nil` when absent.
    func flag(_ name: String) throws -> Bool? {
        switch queryParameters[name[...]].map(String.init) {
        case nil: nil
        case "true": true
        case "false": false
        default: throw HTTPRefusal.badRequest("\(name) must be true or false")
        }
    }
}
