/// A UPS.com user who can sign in on the sandbox's pages with username or email.
public struct UPSUser: Sendable, Codable, Equatable {
    public var username: String
    public var email: String
    /// Shown as "Welcome back, …"; defaults to `username`.
    public var displayName: String
    public var password: String

    public init(username: String, email: String, displayName: String? = nil, password: String) {
        self.username = username
        self.email = email
        self.displayName = displayName ?? username
        self.password = password
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            username: try container.decode(String.self, forKey: .username),
            email: try container.decode(String.self, forKey: .email),
            displayName: try container.decodeIfPresent(String.self, forKey: .displayName),
            password: try container.decode(String.self, forKey: .password)
        )
    }

    /// Sign-in names and emails are matched without regard to case, as UPS.com does.
    func isNamed(_ emailOrUsername: String) -> Bool {
        let name = emailOrUsername.lowercased()
        return username.lowercased() == name || email.lowercased() == name
    }

    var problems: [String] {
        var problems: [String] = []
        if username.isEmpty { problems.append("users: a user has an empty username") }
        if email.isEmpty { problems.append("users: user '\(username)' has an empty email") }
        if password.isEmpty { problems.append("users: user '\(username)' has an empty password") }
        return problems
    }
}
