public import Foundation
public import IPMDomain

/// What the UPS provider needs to know: where UPS is, who IPM is to UPS, and how long to wait.
/// Read from `IPM_UPS_*` at the composition root.
public struct UPSProviderConfiguration: Sendable {
    /// `https://wwwcie.ups.com`, `https://onlinetools.ups.com`, the sandbox, or a look-alike;
    /// the OAuth paths are appended to it.
    public var baseURL: URL
    public var clientID: String
    public var clientSecret: Secret
    /// Sent exactly as given; it must match the one registered with UPS.
    public var redirectURI: URL
    /// Space separated.
    public var scope: String
    /// Send a PKCE S256 challenge with the authorization request, and redeem the code with
    /// `client_id` + `code_verifier` instead of HTTP Basic. Off by default (decision 39).
    public var usesPKCE: Bool
    /// For establishing a connection; it is a setting of the `HTTPClient` (see `UPSProvider.makeHTTPClient`).
    public var connectTimeout: Duration
    /// For a whole token call, connecting and reading the body included.
    public var requestTimeout: Duration
    /// A larger answer is not read: no token response comes near it.
    public var maxResponseBytes: Int

    public init(
        baseURL: URL, clientID: String, clientSecret: Secret, redirectURI: URL, scope: String = "read",
        usesPKCE: Bool = false, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(20),
        maxResponseBytes: Int = 64 * 1024
    ) {
        self.baseURL = baseURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scope = scope
        self.usesPKCE = usesPKCE
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The base URL with `path` appended, without doubling a `/`.
    func url(_ path: String) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
