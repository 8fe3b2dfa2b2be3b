public import Foundation

/// An opt-in started for `--paste`: where the UPS.com user signs in, and until when.
public struct StartedOptIn: Sendable {
    public let companyName: String
    public let authorizationURL: URL
    public let expiresAt: Date

    public init(companyName: String, authorizationURL: URL, expiresAt: Date) {
        self.companyName = companyName
        self.authorizationURL = authorizationURL
        self.expiresAt = expiresAt
    }
}
