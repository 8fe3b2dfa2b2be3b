import Hummingbird

/// An error answered in UPS's envelope:
/// `{"response":{"errors":[{"code":"10400","message":"Invalid Redirect URL"}]}}`.
/// Codes UPS documents are used as UPS uses them; the sandbox's own are marked below.
struct UPSError: HTTPResponseError, Equatable {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func invalidRequest(_ message: String) -> UPSError { UPSError(.badRequest, code: "10400", message: message) }
    static let invalidRedirectURL = UPSError(.badRequest, code: "10400", message: "Invalid Redirect URL")
    static let invalidClient = UPSError(.unauthorized, code: "10401", message: "ClientId is Invalid")
    /// The spec's rule for PKCE: "BASIC Authorization header should not be included".
    static let basicWithVerifier = UPSError.invalidRequest("Invalid Request: the Authorization header must not be sent with code_verifier")
    /// A PKCE exchange must name its client in the body.
    static let clientIDRequired = UPSError(
        .unauthorized, code: "10401", message: "ClientId is Invalid: client_id is required in the body without an Authorization header")
    /// Neither form of client authentication: no Basic header, and no PKCE where it is allowed.
    static let basicRequired = UPSError(.unauthorized, code: "10401", message: "ClientId is Invalid: send HTTP Basic client credentials")
    /// The sandbox's own code (UPS publishes none): the code is unknown, expired, used,
    /// bound to another client or redirect URI, or its PKCE verifier is missing or wrong.
    static let invalidAuthorizationCode = UPSError(.badRequest, code: "10410", message: "Invalid Authorization Code")
    /// The sandbox's own code (UPS publishes none): the refresh token is unknown, expired,
    /// already used, or voided (reuse, password change). One answer for every reason, as
    /// UPS gives no reason either; `GET /sandbox/counters` tells them apart.
    static let invalidRefreshToken = UPSError(.badRequest, code: "10411", message: "Invalid Refresh Token")
    /// UPS documents 403 "Blocked Merchant" on authorize, token and refresh, without a code;
    /// `10403` is the sandbox's own.
    static let blockedMerchant = UPSError(.forbidden, code: "10403", message: "Blocked Merchant")
    static let tooManyRequests = UPSError(.tooManyRequests, code: "10429", message: "Too Many Requests")
    /// The sandbox's own code for an injected 5xx.
    static let serviceUnavailable = UPSError(.serviceUnavailable, code: "10503", message: "Service Unavailable")
    static let invalidAuthentication = UPSError(.unauthorized, code: "250002", message: "Invalid Authentication Information")

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try response()
    }

    /// The envelope, plus `errorcode` and `errordescription` headers when `withHeaders` (as
    /// `/authorize` reports its errors; UPS's Java sample reads them from there).
    func response(withHeaders: Bool = false) throws -> Response {
        let envelope = Envelope(response: .init(errors: [.init(code: code, message: message)]))
        var response = try Response.json(envelope, status: status)
        if withHeaders {
            response.headers[.init("errorcode")!] = code
            response.headers[.init("errordescription")!] = message
        }
        return response
    }

    private struct Envelope: Encodable {
        struct Errors: Encodable { let errors: [Entry] }
        struct Entry: Encodable {
            let code: String
            let message: String
        }
        let response: Errors
    }
}
