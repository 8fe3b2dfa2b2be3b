public import Foundation

/// IPM's own start page for a company's opt-in, `IPM_PUBLIC_URL/oauth/ups/start?company=ID`:
/// opened in a browser it asks the admin to sign in to IPM there, binds the opt-in to that
/// browser session and only then goes on to UPS (DESIGN.md's binding rule). Every
/// "opt in again" — notification, webhook, status — carries this link, never UPS's address.
public enum OptInLink {
    public static let path = "/oauth/ups/start"

    public static func url(publicURL: URL, company: CompanyID) -> URL {
        var base = publicURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: "\(base)\(path)?company=\(company)")!
    }
}
