/// How long what the sandbox issues stays valid, in seconds. A change applies to what is
/// issued afterwards. The defaults are UPS's current values: access tokens of one hour
/// (`expires_in` "3599", since 2026-04-01; "14399" before) and refresh tokens of 60 days
/// (`refresh_token_expires_in` "5183999", UPS's documented example; 7 days is also seen). The
/// token response reports these numbers as they are.
public struct Lifetimes: Sendable, Codable, Equatable {
    public var accessTokenSeconds: Int
    public var refreshTokenSeconds: Int
    public var authorizationCodeSeconds: Int
    /// How long an opt-in (a grant) lives at most, from the code's redemption: the refresh
    /// tokens a refresh issues never outlive it, and `refresh_token_expires_in` says what is
    /// left — refresh tokens that run out whatever IPM does. `nil`: each refresh token lives
    /// `refreshTokenSeconds` from its issue.
    public var grantSeconds: Int?

    public init(accessTokenSeconds: Int = 3599, refreshTokenSeconds: Int = 5_183_999, authorizationCodeSeconds: Int = 300, grantSeconds: Int? = nil) {
        self.accessTokenSeconds = accessTokenSeconds
        self.refreshTokenSeconds = refreshTokenSeconds
        self.authorizationCodeSeconds = authorizationCodeSeconds
        self.grantSeconds = grantSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Lifetimes()
        self.init(
            accessTokenSeconds: try container.decodeIfPresent(Int.self, forKey: .accessTokenSeconds) ?? defaults.accessTokenSeconds,
            refreshTokenSeconds: try container.decodeIfPresent(Int.self, forKey: .refreshTokenSeconds) ?? defaults.refreshTokenSeconds,
            authorizationCodeSeconds: try container.decodeIfPresent(Int.self, forKey: .authorizationCodeSeconds) ?? defaults.authorizationCodeSeconds,
            grantSeconds: try container.decodeIfPresent(Int.self, forKey: .grantSeconds)
        )
    }

    /// Ten years: longer than anything UPS issues (and than IPM believes), short enough that
    /// the expiry dates computed from it stay ordinary dates.
    static let longest = 10 * 365 * 86_400

    var problems: [String] {
        [
            ("accessTokenSeconds", accessTokenSeconds), ("refreshTokenSeconds", refreshTokenSeconds),
            ("authorizationCodeSeconds", authorizationCodeSeconds), ("grantSeconds", grantSeconds ?? 1),
        ]
        .filter { !(1...Self.longest).contains($0.1) }
        .map { "lifetimes.\($0.0): expected a whole number of seconds from 1 to \(Self.longest), got \($0.1)" }
    }
}
