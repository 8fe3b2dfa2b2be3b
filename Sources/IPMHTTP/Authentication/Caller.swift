public import IPMDomain

/// Who a request comes from, as the authenticators found it (`WebRequestContext.identity`).
public enum Caller: Sendable {
    /// An admin: by the browser's session cookie, a session token or a personal API token.
    case admin(AuthenticatedAdmin)
    /// One of the deployment's services, for the token API and the UPS proxy.
    case service(ServiceCredential)
}

/// An admin and the credential this request carries.
public struct AuthenticatedAdmin: Sendable {
    enum Credential: Sendable {
        /// The browser's session cookie (changes need the session's CSRF token).
        case sessionCookie(AdminSession)
        /// A session's token as a bearer token (a terminal's sign-in).
        case sessionToken(AdminSession)
        /// A personal API token (Manage → API tokens).
        case apiToken(APIToken)
    }

    let admin: Admin
    let credential: Credential
    /// The secret the request presented.
    let token: Secret
    /// For the pages' header: how many notifications are unread ("99+"), nil for none.
    var unreadNotifications: String?

    /// The session behind the credential; nil for an API token.
    var session: AdminSession? {
        switch credential {
        case .sessionCookie(let session), .sessionToken(let session): session
        case .apiToken: nil
        }
    }

    /// What an opt-in started by this caller is bound to.
    var optInBinding: SessionBinding {
        switch credential {
        case .sessionCookie(let session), .sessionToken(let session): session.optInBinding
        case .apiToken(let token): token.optInBinding
        }
    }

    var isBrowser: Bool { if case .sessionCookie = credential { true } else { false } }

    /// The CSRF token of the session's forms (and of the API's `X-CSRF-Token` header).
    var csrf: String { FormCSRF.token(cookie: token.value, purpose: FormCSRF.sessionFormPurpose) }
}
