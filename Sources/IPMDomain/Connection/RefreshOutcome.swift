public import Foundation

/// What one refresh of a company's tokens came to.
public enum RefreshOutcome: Sendable, Hashable, CustomStringConvertible {
    /// UPS rotated the pair; the new one is stored.
    case refreshed(accessTokenExpiresAt: Date)
    /// The access token is still fresh enough; nothing was sent.
    case notDue(accessTokenExpiresAt: Date)
    /// Another instance is refreshing this company right now.
    case busy
    /// Earlier refreshes failed: this one waits for its backoff (or, with no time, for the
    /// next day's budget of failed refreshes).
    case backingOff(until: Date?)
    /// The company holds no tokens (never opted in, opted out, or re-authorization required).
    case notAuthenticated(ConnectionStatus)
    /// UPS or the network failed in a way worth trying again; the connection stays authenticated.
    case transientFailure(String)
    /// UPS refused the refresh token for good; the company now needs an admin to opt in again.
    case reauthorizationRequired(ReauthorizationReason)
    /// UPS blocked the merchant (403 "Blocked Merchant"): the company is blocked, its tokens
    /// kept, and it is tried again after the long blocked interval.
    case blocked(String)
    /// Our own UPS client settings are wrong; no company was changed.
    case misconfigured(String)
    /// The stored tokens could not be used (e.g. they fail authentication); nothing was sent.
    case storageFailure(String)

    /// A short word for tables and metrics.
    public var label: String {
        switch self {
        case .refreshed: "refreshed"
        case .notDue: "not due"
        case .busy: "busy"
        case .backingOff: "backing off"
        case .notAuthenticated: "not authenticated"
        case .transientFailure: "transient failure"
        case .reauthorizationRequired: "re-authorization required"
        case .blocked: "blocked"
        case .misconfigured: "misconfigured"
        case .storageFailure: "storage failure"
        }
    }

    public var description: String {
        switch self {
        case .refreshed(let expiry): "refreshed; the new access token expires at \(expiry.formatted(.iso8601))"
        case .notDue(let expiry): "not due; the access token expires at \(expiry.formatted(.iso8601))"
        case .busy: "another IPM instance is refreshing this company right now"
        case .backingOff(let until):
            if let until {
                "earlier refreshes failed; the next attempt waits until \(until.formatted(.iso8601))"
            } else {
                "earlier refreshes failed; today's budget of failed refreshes is spent"
            }
        case .notAuthenticated(let status): "nothing to refresh: the company is \(status)"
        case .transientFailure(let message):
            "UPS could not be reached or answered with a temporary error (\(message)); the connection stays authenticated and will be retried"
        case .reauthorizationRequired(let reason): reason.message
        case .blocked(let message):
            "UPS blocked the merchant (\(message)); the tokens are kept and IPM tries again later; opting in again does not help"
        case .misconfigured(let message): "IPM's UPS client settings were refused (\(message)); no company was changed"
        case .storageFailure(let message): "the stored tokens could not be used: \(message)"
        }
    }

    /// Whether the outcome needs someone's attention.
    public var isFailure: Bool {
        switch self {
        case .refreshed, .notDue, .busy, .notAuthenticated, .backingOff: false
        case .transientFailure, .reauthorizationRequired, .blocked, .misconfigured, .storageFailure: true
        }
    }
}

/// One company's line in a refresh run.
public struct RefreshReport: Sendable, Hashable {
    public let company: Company
    public let outcome: RefreshOutcome

    public init(company: Company, outcome: RefreshOutcome) {
        self.company = company
        self.outcome = outcome
    }
}
