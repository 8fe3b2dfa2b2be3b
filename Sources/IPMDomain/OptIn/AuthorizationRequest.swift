public import Foundation

/// Identifies one started opt-in.
public typealias AuthorizationRequestID = Identifier<AuthorizationRequest>

/// A started opt-in, as stored: bound to the company, the admin who started it and that
/// admin's session; single use; short-lived. Only digests of the state and the session
/// binding are kept, and the PKCE verifier is sealed.
public struct AuthorizationRequest: Sendable, Hashable {
    public let id: AuthorizationRequestID
    public let companyID: CompanyID
    public let adminID: AdminID
    public let sessionDigest: [UInt8]
    public let stateDigest: [UInt8]
    public let codeVerifier: SealedSecret?
    public let createdAt: Date
    public let expiresAt: Date
    public let consumedAt: Date?

    public init(
        id: AuthorizationRequestID = AuthorizationRequestID(), companyID: CompanyID, adminID: AdminID,
        sessionDigest: [UInt8], stateDigest: [UInt8], codeVerifier: SealedSecret?,
        createdAt: Date, expiresAt: Date, consumedAt: Date? = nil
    ) {
        self.id = id
        self.companyID = companyID
        self.adminID = adminID
        self.sessionDigest = sessionDigest
        self.stateDigest = stateDigest
        self.codeVerifier = codeVerifier
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
    }

    /// How long a started opt-in stays usable.
    public static let lifetime: TimeInterval = 10 * 60

    /// Where the sealed verifier lives.
    public static func codeVerifierContext(_ id: AuthorizationRequestID) -> String {
        "ups_authorization_requests.code_verifier:\(id)"
    }
}

/// The browser session (web) or local request (CLI `--paste`) an opt-in is bound to: only
/// the same binding can complete it. An opaque secret; the engine stores its digest.
public struct SessionBinding: Sendable, Hashable {
    public let secret: Secret

    public init(_ secret: Secret) { self.secret = secret }
}

/// What the browser brought back to the callback.
public struct OptInCallback: Sendable, Hashable {
    public let code: String?
    public let state: String?
    /// An OAuth `error` parameter (e.g. `access_denied` when the UPS.com user cancelled).
    public let error: String?
    public let errorDescription: String?

    public init(code: String?, state: String?, error: String? = nil, errorDescription: String? = nil) {
        self.code = code
        self.state = state
        self.error = error
        self.errorDescription = errorDescription
    }

    /// Reads the parameters from the query of the URL UPS redirected to.
    public init(redirectedURL: URL) {
        let items = URLComponents(url: redirectedURL, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        self.init(code: value("code"), state: value("state"), error: value("error"), errorDescription: value("error_description"))
    }
}

/// A started opt-in: where to send the browser, and until when it can be completed.
public struct OptInStart: Sendable, Hashable {
    public let requestID: AuthorizationRequestID
    public let company: Company
    public let authorizationURL: URL
    public let expiresAt: Date

    public init(requestID: AuthorizationRequestID, company: Company, authorizationURL: URL, expiresAt: Date) {
        self.requestID = requestID
        self.company = company
        self.authorizationURL = authorizationURL
        self.expiresAt = expiresAt
    }
}

/// A completed opt-in.
public struct OptInCompletion: Sendable, Hashable {
    public let company: Company
    public let connection: UPSConnection

    public init(company: Company, connection: UPSConnection) {
        self.company = company
        self.connection = connection
    }
}
