public import Foundation
import Hummingbird

/// What the web front needs from configuration.
public struct WebSettings: Sendable {
    /// Where people reach the server; an `https` URL makes cookies `Secure` and `__Host-`
    /// prefixed, and turns on HSTS.
    public var publicURL: URL
    /// Who to ask for help, shown in the seed's tip (`IPM_SUPPORT_CONTACT`); `nil` shows the tip alone.
    public var supportContact: String?
    /// Where else a form may lead, by redirect: the opt-in form's answer sends the browser on
    /// to UPS's authorization page (`IPM_UPS_BASE_URL`), which CSP's `form-action` must allow.
    public var formTargets: [URL]

    public init(publicURL: URL, supportContact: String? = nil, formTargets: [URL] = []) {
        self.publicURL = publicURL
        self.supportContact = supportContact
        self.formTargets = formTargets
    }

    var securesCookies: Bool { publicURL.scheme?.lowercased() == "https" }

    /// The session cookie's name: over https `__Host-` makes browsers refuse it unless it is
    /// `Secure`, `Path=/` and without `Domain`, so a sibling host cannot plant one.
    var sessionCookie: String { securesCookies ? "__Host-ipm_session" : "ipm_session" }
    /// The random cookie that keys the CSRF token of the sign-in and sign-up forms.
    var formCookie: String { securesCookies ? "__Host-ipm_form" : "ipm_form" }

    /// A cookie of this site: for every path, `HttpOnly`, `SameSite=Lax`, `Secure` over https.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: securesCookies, httpOnly: true, sameSite: .lax)
    }

    /// `Strict-Transport-Security` for an https deployment: a year, this host only.
    public var strictTransportSecurity: String? { securesCookies ? "max-age=31536000" : nil }

    /// The pages' CSP: this origin only, no framing, no `<base>`, and forms that post here
    /// (or are redirected on to a form target).
    var contentSecurityPolicy: String {
        let origins = formTargets.compactMap(Self.origin)
        return "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action " + (["'self'"] + origins).joined(separator: " ")
    }

    /// `scheme://host[:port]` of an http(s) URL; nil for anything else, so no setting can
    /// smuggle another directive into the policy.
    static func origin(_ url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host?.lowercased(),
            !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:[]".contains($0) })
        else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)" + (url.port.map { ":\($0)" } ?? "")
    }
}
