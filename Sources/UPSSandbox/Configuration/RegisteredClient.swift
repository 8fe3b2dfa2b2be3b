/// An app registered with UPS: its credentials, the redirect URIs it may use (matched
/// exactly) and the names UPS shows (`appname` and `displayname` headers, the agreement).
public struct RegisteredClient: Sendable, Codable, Equatable {
    public var clientID: String
    public var clientSecret: String
    public var redirectURIs: [String]
    public var appName: String
    /// Defaults to `appName`.
    public var displayName: String
    /// The resource APIs added to the app (`tracking`); `nil`, the default, means all. UPS
    /// answers a call to an API the app lacks as it answers a bad token: 401 `250002`.
    public var apis: [String]?

    public init(clientID: String, clientSecret: String, redirectURIs: [String], appName: String, displayName: String? = nil, apis: [String]? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURIs = redirectURIs
        self.appName = appName
        self.displayName = displayName ?? appName
        self.apis = apis
    }

    /// Whether the app may call the resource API `api`.
    func hasAPI(_ api: String) -> Bool {
        apis?.contains(api) ?? true
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "clientId"
        case clientSecret, redirectURIs, appName, displayName, apis
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            clientID: try container.decode(String.self, forKey: .clientID),
            clientSecret: try container.decode(String.self, forKey: .clientSecret),
            redirectURIs: try container.decodeIfPresent([String].self, forKey: .redirectURIs) ?? [],
            appName: try container.decode(String.self, forKey: .appName),
            displayName: try container.decodeIfPresent(String.self, forKey: .displayName),
            apis: try container.decodeIfPresent([String].self, forKey: .apis)
        )
    }

    var problems: [String] {
        var problems: [String] = []
        if clientID.isEmpty { problems.append("clients: a client has an empty clientId") }
        if clientSecret.isEmpty { problems.append("clients: client '\(clientID)' has an empty clientSecret") }
        if appName.isEmpty { problems.append("clients: client '\(clientID)' has an empty appName") }
        for uri in redirectURIs where !(uri.hasPrefix("http://") || uri.hasPrefix("https://")) {
            problems.append("clients: client '\(clientID)' has redirect URI '\(uri)', expected an http:// or https:// URL")
        }
        return problems
    }
}
