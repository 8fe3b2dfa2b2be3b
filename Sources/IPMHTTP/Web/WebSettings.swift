public import Foundation

/// What the web front needs from configuration.
public struct WebSettings: Sendable {
    /// Where people reach the server; an `https` URL makes cookies `Secure`.
    public var publicURL: URL
    /// Who to ask for help, shown in the seed's tip (`IPM_SUPPORT_CONTACT`); `nil` shows the tip alone.
    public var supportContact: String?

    public init(publicURL: URL, supportContact: String? = nil) {
        self.publicURL = publicURL
        self.supportContact = supportContact
    }

    var securesCookies: Bool { publicURL.scheme?.lowercased() == "https" }
}
