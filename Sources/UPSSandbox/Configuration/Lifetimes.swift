/// How long what the sandbox issues stays valid, in seconds. A change applies to what is
/// issued afterwards. The defaults are UPS's current values: access tokens of one hour
/// (`expires_in` "3599", since 2026-04-01; "14399" before) and refresh tokens of 60 days
/// (`refresh_token_expires_in` "5183999", UPS's documented example; 7 days is also seen). The
/// token response reports these numbers as they are.
public struct Lifetimes: Sendable, Codable, Equatable {
    public var accessTokenSeconds: Int
    public var refreshTokenSeconds: Int
    public var authorizationCodeSeconds: Int

    public init(accessTokenSeconds: Int = 3599, refreshTokenSeconds: Int = 5_183_999, authorizationCodeSeconds: Int = 300) {
        self.accessTokenSeconds = accessTokenSeconds
        self.refreshTokenSeconds = refreshTokenSeconds
        self.authorizationCodeSeconds = authorizationCodeSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Lifetimes()
        self.init(
            accessTokenSeconds: try container.decodeIfPresent(Int.self, forKey: .accessTokenSeconds) ?? defaults.accessTokenSeconds,
            refreshTokenSeconds: try container.decodeIfPresent(Int.self, forKey: .refreshTokenSeconds) ?? defaults.refreshTokenSeconds,
            authorizationCodeSeconds: try container.decodeIfPresent(Int.self, forKey: .authorizationCodeSeconds) ?? defaults.authorizationCodeSeconds
        )
    }

    var problems: [String] {
        [("accessTokenSeconds", accessTokenSeconds), ("refreshTokenSeconds", refreshTokenSeconds), ("authorizationCodeSeconds", authorizationCodeSeconds)]
            .filter { $0.1 < 1 }
            .map { "lifetimes.\($0.0): expected a whole number of seconds of at least 1, got \($0.1)" }
    }
}
