import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection, which fault injection closes to drop
/// a request or lose its response.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

extension Sandbox {
    /// Where browsers reach the sandbox: the configured public URL, else the request's
    /// `Host` (the port may have been picked by the kernel).
    func baseURL(of request: Request, context: SandboxRequestContext) -> String {
        if let publicURL = configuration.publicURL {
            return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }
        if let authority = request.head.authority, !authority.isEmpty {
            return "http://\(authority)"
        }
        return "http://127.0.0.1:\(context.channel.localAddress?.port ?? configuration.port)"
    }
}
