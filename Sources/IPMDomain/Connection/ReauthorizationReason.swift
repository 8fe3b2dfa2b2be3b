/// Why a company's opt-in stopped working, in words an admin understands.
public enum ReauthorizationReason: Sendable, Hashable {
    /// UPS refused the refresh token: the seed's password-change case.
    case refreshRefused
    /// The refresh token reached the end of its life before it could be used.
    case refreshTokenExpired
    /// UPS refused the access token and a refresh did not help.
    case accessRefused

    public var message: String {
        switch self {
        case .refreshRefused:
            return
                "UPS refused the refresh token. This happens when the UPS.com password of the user who opted in was changed; an admin must opt in again."
        case .refreshTokenExpired:
            return "The UPS authorization expired before it could be renewed; an admin must opt in again."
        case .accessRefused:
            return "UPS no longer accepts this company's authorization; an admin must opt in again."
        }
    }
}
