import Foundation

/// Where a proxied call goes under the UPS base URL: a relative path (percent-encoded as the
/// caller sent it) and a query, checked so that the call cannot leave UPS's APIs — its first
/// segment is literally `api` (never `security/…`, UPS's OAuth endpoints, nor anything else
/// on that host), no `.`/`..` segments (encoded or not), no encoded slashes or backslashes,
/// no empty segments, no scheme, only URL characters.
public struct UPSResourceTarget: Sendable, Hashable, CustomStringConvertible {
    /// Without a leading `/`, e.g. `api/track/v1/details/1Z999AA10123456784`.
    public let path: String
    public let query: String?

    public init(path: String, query: String?) throws(DomainError) {
        let example = "e.g. api/track/v1/details/1Z999AA10123456784"
        guard !path.isEmpty, path.utf8.count <= 2048 else {
            throw .invalidInput(field: "path", "must name a UPS API path of at most 2048 bytes, \(example)")
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty else { throw .invalidInput(field: "path", "must not hold empty segments ('//') or start with '/', \(example)") }
            guard segment.unicodeScalars.allSatisfy(Self.isPathCharacter) else {
                throw .invalidInput(field: "path", "may hold URL path characters only")
            }
            guard let decoded = String(segment).removingPercentEncoding else { throw .invalidInput(field: "path", "has a broken percent-encoding") }
            guard decoded != ".", decoded != ".." else { throw .invalidInput(field: "path", "must not hold '.' or '..' segments") }
            guard !decoded.contains("/"), !decoded.contains("\\") else {
                throw .invalidInput(field: "path", "must not hold encoded slashes or backslashes")
            }
            guard decoded.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw .invalidInput(field: "path", "must not hold control characters")
            }
        }
        guard !segments[0].contains(":") else {
            throw .invalidInput(field: "path", "must be a path under the UPS base URL, not an address of its own")
        }
        // Only UPS's resource APIs: the OAuth endpoints would hand a caller IPM's client credentials' work.
        guard segments[0] == "api", segments.count > 1 else {
            throw .invalidInput(field: "path", "must be a UPS API path starting with api/ (not UPS's OAuth endpoints or other pages), \(example)")
        }
        if let query {
            guard query.utf8.count <= 8192, query.unicodeScalars.allSatisfy({ Self.isPathCharacter($0) || $0 == "/" || $0 == "?" }) else {
                throw .invalidInput(field: "query", "may hold URL query characters only, at most 8192 bytes")
            }
        }
        self.path = path
        self.query = query.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// RFC 3986 `pchar`: unreserved, sub-delims, ':', '@' and percent-encodings.
    private static func isPathCharacter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@", "%": return true
        default: return false
        }
    }

    public var description: String { "/" + path + (query.map { "?" + $0 } ?? "") }
}

/// A call a service makes to UPS through the proxy, without any credential of its own.
public struct UPSResourceRequest: Sendable {
    public var method: String
    public var target: UPSResourceTarget
    /// End-to-end headers to pass on (the front has dropped Authorization, Cookie, Host and hop-by-hop ones).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, target: UPSResourceTarget, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// What UPS answered, as the proxy passes it back.
public struct UPSResourceResponse: Sendable, Hashable {
    public let status: Int
    public let contentType: String?
    public let body: [UInt8]

    public init(status: Int, contentType: String?, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

extension UPSResourceResponse {
    /// UPS's refusal of the bearer token: 401 with code `250002` "Invalid Authentication
    /// Information". UPS gives the same answer when the API is not enabled for the app the
    /// token was issued to (UPS-OAUTH.md), so after a renewed token it most likely means that.
    public var isInvalidAuthentication: Bool {
        status == 401 && upsErrors.contains { $0.code == "250002" }
    }

    /// The errors of UPS's envelope `{"response":{"errors":[{"code":"…","message":"…"}]}}`.
    public var upsErrors: [(code: String, message: String)] {
        guard body.count <= 64 * 1024,
            let document = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let errors = (document["response"] as? [String: Any])?["errors"] as? [[String: Any]]
        else { return [] }
        return errors.map { ("\($0["code"] ?? "")", "\($0["message"] ?? "")") }
    }
}

/// Why a call did not get an answer from UPS. Messages never hold a token.
public struct UPSResourceForwardingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No (complete) answer within the time limit.
        case timeout
        /// No connection, or it broke.
        case unreachable
        /// UPS's answer is larger than the proxy passes on.
        case responseTooLarge
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Sends a call to the UPS base URL with `Authorization: Bearer <token>`. `IPMOAuth` implements it.
public protocol UPSResourceForwarding: Sendable {
    /// Throws `UPSResourceForwardingError`.
    func forward(_ request: UPSResourceRequest, bearer: Secret) async throws -> UPSResourceResponse
}

/// The UPS proxy for the deployment's services: the company's valid access token is
/// injected; when UPS answers 401, the token is renewed once (unless another caller already
/// did) and the call is sent once more, and whatever UPS answers then is the answer.
public struct UPSResourceProxy: Sendable {
    private let tokens: any UPSAccessTokenProviding
    private let forwarding: any UPSResourceForwarding

    public init(tokens: any UPSAccessTokenProviding, forwarding: any UPSResourceForwarding) {
        self.tokens = tokens
        self.forwarding = forwarding
    }

    /// UPS's answer; whether it is the answer to a second attempt after a 401; and whether
    /// the token UPS answered is one issued moments ago (renewed for this call, or too fresh
    /// to renew again), so that a 401 then is about the app or the authorization, not the token's age.
    /// Throws `AccessTokenFailure`, `UPSResourceForwardingError`, or an infrastructure error.
    public func forward(
        _ request: UPSResourceRequest, for company: CompanyID
    ) async throws -> (response: UPSResourceResponse, retried: Bool, freshToken: Bool) {
        let token = try await tokens.accessToken(for: company)
        let first = try await forwarding.forward(request, bearer: token.token)
        guard first.status == 401 else { return (first, false, false) }
        let renewed = try await tokens.accessToken(for: company, replacing: token.token)
        // Not renewed (it was renewed moments ago and UPS refuses even that one): UPS's answer stands.
        guard renewed.token != token.token else { return (first, false, true) }
        return (try await forwarding.forward(request, bearer: renewed.token), true, true)
    }
}
