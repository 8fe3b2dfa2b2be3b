import IPMDomain

/// The admin behind a request's session cookie, with the CSRF token their forms carry.
struct SignedIn: Sendable {
    let session: AdminSession
    let admin: Admin
    let token: Secret
    /// For the header's Notifications link: how many are unread ("99+"), nil for none.
    var unreadNotifications: String?
    var csrf: String { FormCSRF.token(cookie: token.value, purpose: WebFront.sessionFormPurpose) }
}
