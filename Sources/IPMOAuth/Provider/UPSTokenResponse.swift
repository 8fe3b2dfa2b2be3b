public import Foundation
public import IPMDomain

/// UPS's answer to a token exchange or refresh. Every field arrives as a JSON string
/// (`"expires_in":"14399"`); numbers are accepted too, unknown fields ignored.
public struct UPSTokenResponse: Sendable {
    public let accessToken: Secret
    public let refreshToken: Secret
    /// Seconds the access token lives, counted from when the request was sent.
    public let expiresIn: Int64
    public let refreshTokenExpiresIn: Int64?
    public let scope: String?
    public let refreshCount: Int64?

    /// Lifetimes beyond this are not believed: a typo'd or hostile value must not make a
    /// token look valid for ever.
    static let longestLifetime: Int64 = 366 * 24 * 3600

    public static func decode(_ body: some Collection<UInt8>) throws(TokenResponseError) -> UPSTokenResponse {
        let fields: [String: LenientJSONValue]
        do {
            fields = try JSONDecoder().decode([String: LenientJSONValue].self, from: Data(body))
        } catch {
            throw TokenResponseError("the body is not a JSON object")
        }
        guard let access = fields["access_token"]?.text, !access.isEmpty else {
            throw TokenResponseError("it has no access_token")
        }
        guard let refresh = fields["refresh_token"]?.text, !refresh.isEmpty else {
            throw TokenResponseError("it has no refresh_token")
        }
        let expiresIn = try lifetime(fields, "expires_in")
        guard let expiresIn else { throw TokenResponseError("it has no expires_in") }
        return UPSTokenResponse(
            accessToken: Secret(access),
            refreshToken: Secret(refresh),
            expiresIn: expiresIn,
            refreshTokenExpiresIn: try lifetime(fields, "refresh_token_expires_in"),
            scope: fields["scope"]?.text.flatMap { $0.isEmpty ? nil : $0 },
            refreshCount: fields["refresh_count"]?.integer
        )
    }

    /// The grant with expiry times counted from `sentAt`, the local time the request left:
    /// UPS's `issued_at` is on UPS's clock, and counting from the send errs on the early side.
    public func grant(sentAt: Date) -> TokenGrant {
        TokenGrant(
            accessToken: accessToken,
            refreshToken: refreshToken,
            lifetimes: TokenLifetimes(
                accessTokenExpiresAt: sentAt.addingTimeInterval(TimeInterval(expiresIn)),
                refreshTokenExpiresAt: refreshTokenExpiresIn.map { sentAt.addingTimeInterval(TimeInterval($0)) }
            ),
            scope: scope
        )
    }

    /// nil when absent or JSON null; an error when present but not a sane number of seconds.
    private static func lifetime(_ fields: [String: LenientJSONValue], _ name: String) throws(TokenResponseError) -> Int64? {
        guard let field = fields[name], let text = field.text else { return nil }
        guard let seconds = field.integer, (0...longestLifetime).contains(seconds) else {
            throw TokenResponseError("its \(name) \"\(SafeText.clean(text, limit: 24, redacting: []))\" is not a number of seconds up to a year")
        }
        return seconds
    }
}

/// Why a 2xx token response is unusable. Never contains a token.
public struct TokenResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { "the token response is unusable: \(reason)" }
}
