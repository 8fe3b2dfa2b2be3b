/// How `/authorize` (and the legacy `/validate-client`) fails when it is switched on, in the
/// two ways UPS's Java sample expects (UPS-OAUTH.md §1). Off by default.
public struct AuthorizeFault: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// An error answer (`status`) carrying `errorcode` and `errordescription` headers
        /// and UPS's error envelope: the browser sees an error and never reaches the sign-in.
        case errorHeaders
        /// A 302 to UPS's own error page (`errorPageURL`): the browser never comes back to
        /// the app's callback.
        case errorPage
    }

    public var mode: Mode
    /// For `errorHeaders`. Default 400.
    public var status: Int
    /// For `errorHeaders`. Default `10400`.
    public var errorCode: String
    /// For `errorHeaders`. Default "Invalid Redirect URL".
    public var errorDescription: String
    /// For `errorPage`. Default `https://www.ups.com/error.page`.
    public var errorPageURL: String

    public static let upsErrorPage = "https://www.ups.com/error.page"

    public init(
        mode: Mode, status: Int = 400, errorCode: String = "10400", errorDescription: String = "Invalid Redirect URL",
        errorPageURL: String = AuthorizeFault.upsErrorPage
    ) {
        self.mode = mode
        self.status = status
        self.errorCode = errorCode
        self.errorDescription = errorDescription
        self.errorPageURL = errorPageURL
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AuthorizeFault(mode: .errorHeaders)
        self.init(
            mode: try container.decode(Mode.self, forKey: .mode),
            status: try container.decodeIfPresent(Int.self, forKey: .status) ?? defaults.status,
            errorCode: try container.decodeIfPresent(String.self, forKey: .errorCode) ?? defaults.errorCode,
            errorDescription: try container.decodeIfPresent(String.self, forKey: .errorDescription) ?? defaults.errorDescription,
            errorPageURL: try container.decodeIfPresent(String.self, forKey: .errorPageURL) ?? defaults.errorPageURL
        )
    }

    var problems: [String] {
        var problems: [String] = []
        if !(400...599).contains(status) { problems.append("authorizeFault.status: expected 400 to 599, got \(status)") }
        // Header values: no line breaks or other control characters.
        for (name, value) in [("errorCode", errorCode), ("errorDescription", errorDescription)]
        where value.isEmpty || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            problems.append("authorizeFault.\(name): expected a non-empty single line")
        }
        if !(errorPageURL.hasPrefix("http://") || errorPageURL.hasPrefix("https://")) {
            problems.append("authorizeFault.errorPageURL: expected an http:// or https:// URL, got '\(errorPageURL)'")
        }
        return problems
    }
}
