/// Everything the sandbox starts with: where it listens, the UPS world it imitates
/// (registered apps and UPS.com users), token lifetimes and injected faults.
///
/// Decoded from the JSON config file of `ups-sandbox --config FILE`; every key may be left
/// out and then takes the default shown on the property.
public struct SandboxConfiguration: Sendable, Codable, Equatable {
    /// The address to listen on. Default `127.0.0.1`: the admin API has no authentication.
    public var host: String
    /// The port to listen on; 0 lets the kernel pick one. Default 8090.
    public var port: Int
    /// The URL browsers reach the sandbox at, used in `LassoRedirectURL` and the redirect to
    /// the sign-in page. Default: taken from each request's `Host` header.
    public var publicURL: String?
    /// Registered UPS apps.
    public var clients: [RegisteredClient]
    /// UPS.com users who can sign in and opt in.
    public var users: [UPSUser]
    public var lifetimes: Lifetimes
    public var faults: FaultConfiguration
    /// Optional fields of the token answer. Default: all sent.
    public var tokenResponse: TokenResponseFields
    /// How `/authorize` fails, when it does. Default: it does not.
    public var authorizeFault: AuthorizeFault?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8090,
        publicURL: String? = nil,
        clients: [RegisteredClient] = [],
        users: [UPSUser] = [],
        lifetimes: Lifetimes = Lifetimes(),
        faults: FaultConfiguration = FaultConfiguration(),
        tokenResponse: TokenResponseFields = TokenResponseFields(),
        authorizeFault: AuthorizeFault? = nil
    ) {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.clients = clients
        self.users = users
        self.lifetimes = lifetimes
        self.faults = faults
        self.tokenResponse = tokenResponse
        self.authorizeFault = authorizeFault
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxConfiguration()
        host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
        publicURL = try container.decodeIfPresent(String.self, forKey: .publicURL)
        clients = try container.decodeIfPresent([RegisteredClient].self, forKey: .clients) ?? []
        users = try container.decodeIfPresent([UPSUser].self, forKey: .users) ?? []
        lifetimes = try container.decodeIfPresent(Lifetimes.self, forKey: .lifetimes) ?? defaults.lifetimes
        faults = try container.decodeIfPresent(FaultConfiguration.self, forKey: .faults) ?? defaults.faults
        tokenResponse = try container.decodeIfPresent(TokenResponseFields.self, forKey: .tokenResponse) ?? defaults.tokenResponse
        authorizeFault = try container.decodeIfPresent(AuthorizeFault.self, forKey: .authorizeFault)
    }

    /// Every problem with the configuration, in words an operator can act on; empty when valid.
    public var problems: [String] {
        var problems: [String] = []
        if !(0...65535).contains(port) { problems.append("port: expected 0 to 65535, got \(port)") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            problems.append("publicURL: expected an http:// or https:// URL, got '\(publicURL)'")
        }
        problems += Self.duplicates(clients.map(\.clientID)).map { "clients: client id '\($0)' is registered twice" }
        problems += clients.flatMap(\.problems)
        problems += Self.duplicates(users.map { $0.username.lowercased() }).map { "users: username '\($0)' appears twice" }
        problems += Self.duplicates(users.map { $0.email.lowercased() }).map { "users: email '\($0)' appears twice" }
        problems += users.flatMap(\.problems)
        problems += lifetimes.problems
        problems += faults.problems
        problems += authorizeFault?.problems ?? []
        return problems
    }

    private static func duplicates(_ values: [String]) -> [String] {
        var seen = Set<String>()
        var repeated: [String] = []
        for value in values where !seen.insert(value).inserted && !repeated.contains(value) {
            repeated.append(value)
        }
        return repeated
    }
}
