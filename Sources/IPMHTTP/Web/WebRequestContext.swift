public import Hummingbird
public import HummingbirdAuth
import IPMDomain
import NIOCore

/// The request context of every IPM route: Hummingbird's core storage, the client's address
/// (for sign-in throttling), who calls (set by the authenticators, hummingbird-auth's way)
/// and a small body limit, so an oversized form or JSON body is answered 413 before anything
/// is read into memory.
public struct WebRequestContext: AuthRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address: the peer's, or behind a trusted proxy the one it forwarded
    /// (`ForwardedClientAddress`); `nil` in router tests without a socket.
    public internal(set) var clientAddress: String?
    /// Who calls: set by the authenticators of the route's group (`Authentication/`).
    public var identity: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
        identity = nil
    }

    /// Forms and JSON bodies are tiny; 64 KiB is generous.
    public var maxUploadSize: Int { 64 * 1024 }
}

extension WebRequestContext {
    /// The admin who calls, if an admin does.
    var admin: AuthenticatedAdmin? {
        if case .admin(let admin) = identity { admin } else { nil }
    }

    /// The admin of a route behind `SignInRequiredMiddleware` or `AdminRequiredMiddleware`.
    func requireAdmin() throws -> AuthenticatedAdmin {
        guard let admin else {
            throw HTTPRefusal(.unauthorized, title: "Not signed in", "Send Authorization: Bearer <API token or session token>, or sign in.")
        }
        return admin
    }

    /// The `:id` path parameter; anything but a UUID reads as a company that does not exist.
    func companyReference() throws -> CompanyReference {
        guard let id = parameters.get("id").flatMap(CompanyID.init) else { throw HTTPRefusal.notFound }
        return .id(id)
    }
}
