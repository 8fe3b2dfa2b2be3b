import Foundation
import HTTPTypes
import Hummingbird
import IPMDomain
import Mustache
import NIOCore

/// Renders the web pages: a page template inside the layout, as an HTML response with the
/// headers every page carries.
struct Pages: Sendable {
    private let library: MustacheLibrary
    private let supportContact: String?
    private let contentSecurityPolicy: String

    init(supportContact: String?, contentSecurityPolicy: String = Pages.baseContentSecurityPolicy) {
        var library = MustacheLibrary()
        let templates: [(String, String)] = [
            ("layout", Templates.layout), ("tip", Templates.tip), ("signIn", Templates.signIn),
            ("forgotPassword", Templates.forgotPassword), ("message", Templates.message),
            ("settings", Templates.settings), ("company", Templates.company), ("apiPanel", Templates.apiPanel),
            ("optOutConfirmation", Templates.optOutConfirmation), ("outcome", Templates.outcome),
            ("startConfirmation", Templates.startConfirmation), ("activity", Templates.activity), ("apiTokens", Templates.apiTokens),
            ("signUp", Templates.signUp), ("signUpByInvitationOnly", Templates.signUpByInvitationOnly),
            ("notifications", Templates.notifications),
        ]
        for (name, text) in templates {
            // The templates are constants of this module; WebPagesTests renders every one.
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name) does not parse: \(error)") }
        }
        self.library = library
        self.supportContact = supportContact
        self.contentSecurityPolicy = contentSecurityPolicy
    }

    /// `template` rendered with `values` inside the layout; `signedIn` fills the header.
    func render(
        _ template: String, title: String, _ values: [String: Any], signedIn: AuthenticatedAdmin? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values = values
        values["support"] = supportContact
        let body = library.render(values, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body]
        if let signedIn {
            var admin: [String: Any] = ["displayName": signedIn.admin.displayName, "csrf": signedIn.csrf]
            admin["unread"] = signedIn.unreadNotifications
            layout["admin"] = admin
        }
        var headers = Self.securityHeaders(contentType: "text/html; charset=utf-8")
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: library.render(layout, withTemplate: "layout") ?? "")))
    }

    /// A short page with one sentence and one link.
    func message(
        _ heading: String, _ message: String, link: String, linkText: String, isError: Bool = true, signedIn: AuthenticatedAdmin? = nil,
        status: HTTPResponse.Status
    ) -> Response {
        render(
            "message", title: heading, ["heading": heading, "message": message, "link": link, "linkText": linkText, "isError": isError],
            signedIn: signedIn, status: status)
    }

    /// A form whose CSRF token does not match: nothing was changed.
    func formExpired(_ signedIn: AuthenticatedAdmin?, back: String) -> Response {
        message(
            "Form expired", "This form has expired or did not come from this page. Nothing was changed; go back, reload the page and try again.",
            link: back, linkText: "Back", signedIn: signedIn, status: .forbidden
        )
    }

    /// The seed's result dialog: "Success" and its sentence, or what went wrong.
    func outcome(
        succeeded: Bool, _ message: String, hint: String? = nil, close: String, signedIn: AuthenticatedAdmin, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values: [String: Any] = [
            "succeeded": succeeded, "heading": succeeded ? "Success" : "Opt-in not completed", "message": message, "closeURL": close,
        ]
        values["hint"] = hint
        return render("outcome", title: succeeded ? "Success" : "Not completed", values, signedIn: signedIn, status: status)
    }

    /// A date as the pages show it: `2026-01-31 14:05:00` (UTC).
    static func display(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space)
        )
    }

    /// The CSP of anything that is not a page (JSON, problems, assets): this origin only, no
    /// framing, no `<base>`, forms only to this origin. Pages carry `WebSettings`' policy.
    static let baseContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// No caching of personal pages, no framing, scripts and styles from this origin only,
    /// and no Referer (a callback URL carries the authorization code).
    static func securityHeaders(contentType: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        headers[HTTPField.Name("Content-Security-Policy")!] = baseContentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return headers
    }
}
