/// Which of the token answer's optional fields the sandbox sends. UPS's own answers have
/// been seen without `scope` and `refresh_count` (UPS-OAUTH.md: "tolerate missing
/// `scope`/`refresh_count`"), so a client must not depend on them. Both are sent by default.
public struct TokenResponseFields: Sendable, Codable, Equatable {
    public var includesScope: Bool
    public var includesRefreshCount: Bool

    public init(includesScope: Bool = true, includesRefreshCount: Bool = true) {
        self.includesScope = includesScope
        self.includesRefreshCount = includesRefreshCount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            includesScope: try container.decodeIfPresent(Bool.self, forKey: .includesScope) ?? true,
            includesRefreshCount: try container.decodeIfPresent(Bool.self, forKey: .includesRefreshCount) ?? true
        )
    }
}
