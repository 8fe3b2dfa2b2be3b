public import AsyncHTTPClient
import NIOCore

extension UPSProvider {
    /// An `HTTPClient` fit for UPS: pooled keep-alive connections, the configured connect
    /// timeout, certificates verified (AsyncHTTPClient's default, never turned off here),
    /// redirects not followed (a redirected token request is a misconfiguration, and
    /// following it would carry credentials elsewhere). The caller shuts it down.
    /// - Parameter connections: keep-alive connections to UPS at most (AsyncHTTPClient's soft
    ///   limit per host; requests beyond it wait): at least the refreshes in flight, else the
    ///   refresher's concurrency would queue here.
    public static func makeHTTPClient(configuration: UPSProviderConfiguration, connections: Int = 8) -> HTTPClient {
        let clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: configuration.connectTimeout.timeAmount),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections)),
            decompression: .disabled
        )
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }
}
