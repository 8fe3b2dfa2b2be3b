import Foundation
public import Hummingbird
public import IPMDomain
public import Logging

/// The web pages of the seed's journey: sign-in, Manage → Settings, a company's UPS API
/// panel (opt-in, callback, opt-out), its activity, and IPM's start URL for opt-ins begun in
/// a terminal. It holds the services every front of IPMHTTP uses (`APIFront` serves the same
/// ones as JSON) and registers its controllers in two groups: the pages anyone may open and
/// those behind a signed-in session. Every company operation goes through `CompanyAccess` or
/// `UPSOptInFlow`.
public struct WebFront: Sendable {
    let sessions: SessionService
    let apiTokens: APITokenService
    let access: CompanyAccess
    let optIn: any UPSOptInFlow
    let invitations: InvitationService
    /// The admins' notification list.
    let notifications: NotificationService
    /// "Refresh now" on the company page and `POST /api/v1/companies/{id}/ups/refresh`.
    let forcedRefresh: ForcedRefresh
    /// A company's webhook deliveries in the JSON API.
    let webhooks: WebhookDeliveries
    let settings: WebSettings
    let pages: Pages
    let logger: Logger

    public init(
        sessions: SessionService, apiTokens: APITokenService, access: CompanyAccess, optIn: any UPSOptInFlow, invitations: InvitationService,
        notifications: NotificationService, forcedRefresh: ForcedRefresh, webhooks: WebhookDeliveries, settings: WebSettings, logger: Logger
    ) {
        self.sessions = sessions
        self.apiTokens = apiTokens
        self.access = access
        self.optIn = optIn
        self.invitations = invitations
        self.notifications = notifications
        self.forcedRefresh = forcedRefresh
        self.webhooks = webhooks
        self.settings = settings
        self.pages = Pages(supportContact: settings.supportContact, contentSecurityPolicy: settings.contentSecurityPolicy)
        self.logger = logger
    }

    public func register(on router: Router<WebRequestContext>) {
        router.get("/static/ipm.css") { _, _ in Response.asset(StaticAssets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/static/ipm.js") { _, _ in Response.asset(StaticAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/") { _, _ in Response.redirect("/settings") }

        // Anyone: the session (if any) only fills the header or skips a form.
        let open = router.group()
            .add(middleware: SessionCookieAuthenticator(sessions: sessions, cookieName: settings.sessionCookie))
            .add(middleware: ErrorPageMiddleware(pages: pages))
            .add(middleware: InputEncodingMiddleware())
        // A signed-in admin, or the browser is sent to sign in first.
        let signedIn = router.group()
            .add(middleware: SessionCookieAuthenticator(sessions: sessions, cookieName: settings.sessionCookie))
            .add(middleware: SignInRequiredMiddleware(notifications: notifications))
            .add(middleware: ErrorPageMiddleware(pages: pages))
            .add(middleware: InputEncodingMiddleware())

        let signIn = SignInPages(sessions: sessions, settings: settings, pages: pages)
        signIn.addRoutes(to: open)
        SignUpPages(invitations: invitations, signIn: signIn).addRoutes(to: open)
        let companies = CompanyPages(access: access, invitations: invitations, forcedRefresh: forcedRefresh, settings: settings, pages: pages)
        companies.addRoutes(to: signedIn)
        OptInPages(optIn: optIn, access: access, pages: pages, logger: logger).addRoutes(to: signedIn)
        APITokenPages(apiTokens: apiTokens, pages: pages).addRoutes(to: signedIn)
        NotificationPages(notifications: notifications, pages: pages).addRoutes(to: signedIn)
        // Any other page: a clear "not found", for people as for their links.
        open.get("**") { _, _ -> Response in throw HTTPRefusal.notFound }
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/"
    }

    /// A path of this site to return to after sign-in; anything else goes to Settings.
    static func safeReturnPath(_ next: String?) -> String {
        guard let next, isLocalPath(next), !next.hasPrefix("/sign-in") else { return "/settings" }
        return next
    }

    /// Whether a browser can only read `text` as a path on this site. Browsers drop tabs and
    /// newlines from a `Location` and read `\` as `/`, so `/<TAB>/evil.example` or `/\evil.example`
    /// would go to another host: it must start with one `/`, parse to no scheme and no host,
    /// and hold no backslash and no control character, before or after percent-decoding.
    static func isLocalPath(_ text: String) -> Bool {
        guard text.hasPrefix("/"), !text.hasPrefix("//"), text.utf8.count <= 2048,
            let decoded = text.removingPercentEncoding, !decoded.hasPrefix("//"),
            let components = URLComponents(string: text), components.scheme == nil, components.host == nil
        else { return false }
        return ![text, decoded].contains { candidate in
            candidate.unicodeScalars.contains {
                $0 == "\\" || [.control, .format].contains($0.properties.generalCategory) || $0.properties.isWhitespace
            }
        }
    }
}
