public import Hummingbird
import NIOCore

/// The request context of every IPM route: Hummingbird's core storage, the client's address
/// (for sign-in throttling) and a small body limit, so an oversized form or JSON body is
/// answered 413 before anything is read into memory.
public struct WebRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address: the peer's, or behind a trusted proxy the one it forwarded
    /// (`ForwardedClientAddress`); `nil` in router tests without a socket.
    public internal(set) var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Forms and JSON bodies are tiny; 64 KiB is generous.
    public var maxUploadSize: Int { 64 * 1024 }
}
