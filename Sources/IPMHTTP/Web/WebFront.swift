public import Hummingbird
import NIOCore
public import IPMDomain
public import Logging
import Foundation

/// The web pages of the seed's journey: sign-in, Manage → Settings, a company's UPS API
/// panel (opt-in, callback, opt-out), its activity, and IPM's start URL for opt-ins begun in
/// a terminal. Every company operation goes through `CompanyAccess` or `UPSOptInFlow`.
public struct WebFront: Sendable {
    static let sessionFormPurpose = "session"
    static let signInFormPurpose = "sign-in"
    static let signUpFormPurpose = "sign-up"

    let sessions: SessionService
    let apiTokens: APITokenService
    let access: CompanyAccess
    let optIn: any UPSOptInFlow
    let invitations: InvitationService
    /// The admins' notification list; `nil` serves no Notifications page.
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
        router.get("/static/ipm.css") { _, _ in Self.asset(StaticAssets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/static/ipm.js") { _, _ in Self.asset(StaticAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/") { _, _ in Self.redirect("/settings") }
        registerSignIn(on: router)
        registerSignUp(on: router)
        registerInvitations(on: router)
        registerCompanies(on: router)
        registerForcedRefresh(on: router)
        registerOptIn(on: router)
        registerAPITokens(on: router)
        registerNotifications(on: router)
        // Any other page: a clear "not found", for people as for their links.
        router.get("**") { request, _ -> Response in
            let signedIn = try await signedIn(request)
            return notFound(signedIn)
        }
    }

    // MARK: Sessions

    /// The live session of the request's cookie, if any.
    func signedIn(_ request: Request) async throws -> SignedIn? {
        guard let value = request.cookies[settings.sessionCookie]?.value, !value.isEmpty else { return nil }
        let token = Secret(value)
        guard let (session, admin) = try await sessions.resolve(token) else { return nil }
        return SignedIn(session: session, admin: admin, token: token)
    }

    /// Runs `body` for a signed-in admin; otherwise sends the browser to sign in and back to
    /// `returnTo` (by default this very page). Unknown and foreign companies read as not found.
    func withAdmin(_ request: Request, returnTo: String? = nil, _ body: (SignedIn) async throws -> Response) async throws -> Response {
        guard var signedIn = try await signedIn(request) else {
            return Self.redirect("/sign-in?next=" + Self.queryEscaped(returnTo ?? request.uri.description))
        }
        signedIn.unreadNotifications = try await unreadCount(for: signedIn.admin)
        do {
            return try await body(signedIn)
        } catch let error as DomainError where error.isNotFound {
            return notFound(signedIn)
        } catch let error as DomainError where error.isForbidden || error.isIllegalTransition {
            return pages.message("Not allowed", error.description.capitalizedFirst + ".", link: "/settings", linkText: "Back to Settings", signedIn: signedIn, status: .forbidden)
        }
    }

    /// Reads a form posted by a signed-in admin and checks its CSRF token.
    func postedForm(_ request: Request, context: WebRequestContext, by signedIn: SignedIn) async throws -> FormFields? {
        let form = try await FormFields.read(request, context: context)
        return FormCSRF.isValid(form["csrf"], cookie: signedIn.token.value, purpose: Self.sessionFormPurpose) ? form : nil
    }

    func notFound(_ signedIn: SignedIn?) -> Response {
        pages.message("Not found", "There is nothing here, or you do not have access to it.", link: "/settings", linkText: "Back to Settings", signedIn: signedIn, status: .notFound)
    }

    func formExpired(_ signedIn: SignedIn?, back: String) -> Response {
        pages.message(
            "Form expired", "This form has expired or did not come from this page. Nothing was changed; go back, reload the page and try again.",
            link: back, linkText: "Back", signedIn: signedIn, status: .forbidden
        )
    }

    // MARK: Responses

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = Pages.securityHeaders(contentType: type)
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
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
            candidate.unicodeScalars.contains { $0 == "\\" || [.control, .format].contains($0.properties.generalCategory) || $0.properties.isWhitespace }
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: settings.securesCookies, httpOnly: true, sameSite: .lax)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
