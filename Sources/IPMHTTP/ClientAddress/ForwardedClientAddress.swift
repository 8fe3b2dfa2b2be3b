import HTTPTypes
public import Hummingbird

/// Puts the client's address, as `TrustedProxies` reads it from the peer and
/// `X-Forwarded-For`, into the request context before any route sees it.
public struct ForwardedClientAddress: RouterMiddleware {
    public typealias Context = WebRequestContext

    let proxies: TrustedProxies
    private static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    public init(proxies: TrustedProxies) {
        self.proxies = proxies
    }

    public func handle(
        _ request: Request, context: WebRequestContext, next: (Request, WebRequestContext) async throws -> Response
    ) async throws -> Response {
        guard !proxies.isEmpty else { return try await next(request, context) }
        var context = context
        context.clientAddress = proxies.clientAddress(peer: context.clientAddress, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }
}
