/// The two calls IPM makes to UPS's token service; classification and messages depend on which.
public enum UPSTokenOperation: String, Sendable, Hashable {
    /// Authorization code for a token pair, `POST /security/v1/oauth/token`.
    case exchange
    /// Refresh token (single use) for a new pair, `POST /security/v1/oauth/refresh`.
    case refresh

    public var path: String {
        switch self {
        case .exchange: OAuthEndpoints.token
        case .refresh: OAuthEndpoints.refresh
        }
    }

    /// How a message names the call: "UPS token exchange", "UPS token refresh".
    var name: String { "UPS token \(rawValue)" }
}
