/// Where a company stands with UPS OAuth, in the seed's words.
public enum ConnectionStatus: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Never opted in.
    case notConnected = "not_connected"
    /// "This company has been authenticated using UPS OAuth".
    case authenticated
    /// UPS refused the tokens (typically the UPS.com password was changed): an admin must opt in again.
    case reauthorizationRequired = "reauthorization_required"
    /// An admin opted out; the tokens are destroyed.
    case optedOut = "opted_out"
    /// UPS answers 403 "Blocked Merchant": an account-level block that opting in again cannot
    /// fix. The tokens are kept; IPM retries slowly and returns to authenticated by itself.
    case blocked

    /// What a person reads for this status.
    public var title: String {
        switch self {
        case .notConnected: return "Not connected"
        case .authenticated: return "Authenticated"
        case .reauthorizationRequired: return "Re-authorization required"
        case .optedOut: return "Opted out"
        case .blocked: return "Blocked by UPS"
        }
    }

    public var description: String { title.lowercased() }
}
