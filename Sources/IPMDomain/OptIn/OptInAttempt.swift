public import Foundation

/// The company's latest opt-in that has not come back from UPS, as an admin looking at the
/// company should learn of it. IPM sends the browser to UPS's `/authorize` itself, so it never
/// sees UPS's answer there: when UPS shows an error (its `errorcode` headers, or its own error
/// page), the only trace is an opt-in whose callback never arrives — and then expires.
public struct OptInAttempt: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Started less than `AuthorizationRequest.lifetime` ago; the UPS sign-in may still finish.
        case waiting
        /// It expired without a callback: nothing came back from UPS.
        case expired
    }

    public let startedAt: Date
    /// The sign-in name of the admin who started it.
    public let startedBy: String
    public let expiresAt: Date
    public let state: State

    public init(startedAt: Date, startedBy: String, expiresAt: Date, state: State) {
        self.startedAt = startedAt
        self.startedBy = startedBy
        self.expiresAt = expiresAt
        self.state = state
    }

    /// What the admin should know about `request` at `now` next to `connection`, or `nil`:
    /// a request that came back (its callback reported its own outcome) tells nothing more,
    /// nor does an expired one that a later opt-in made moot.
    public init?(_ request: AuthorizationRequest, startedBy: String, connection: UPSConnection, at now: Date) {
        guard request.consumedAt == nil else { return nil }
        let expired = request.expiresAt <= now
        if expired, connection.status == .authenticated, let authorizedAt = connection.authorizedAt, authorizedAt >= request.createdAt {
            return nil
        }
        self.init(startedAt: request.createdAt, startedBy: startedBy, expiresAt: request.expiresAt, state: expired ? .expired : .waiting)
    }

    /// The plain-words sentence the web, the API and the CLI show.
    public var message: String {
        let started = "The opt-in started at \(Self.display(startedAt)) by \(startedBy)"
        switch state {
        case .waiting:
            return "\(started) is waiting for the UPS.com sign-in until \(Self.display(expiresAt))."
        case .expired:
            return "\(started) did not come back from UPS and expired at \(Self.display(expiresAt)); UPS may have shown an error page. Start again."
        }
    }

    /// `2026-12-01 14:02:33 UTC`.
    public static func display(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space)
        ) + " UTC"
    }
}
