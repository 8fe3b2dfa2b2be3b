public import AsyncHTTPClient
import NIOCore

extension UPSProvider {
    /// An `HTTPClient` fit for UPS: pooled keep-alive connections, the configured connect
    /// timeout, certificates verified (AsyncHTTPClient's default, never turned off here),
    /// redirects not followed (a redirected token request is a misconfiguration, and
    /// following it would carry credentials elsewhere). The caller shuts it down.
    public static func makeHTTPClient(configuration: UPSProviderConfiguration) -> HTTPClient {
        let clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: configuration.connectTimeout.timeAmount),
            connectionPool: .init(idleTimeout: .seconds(60)),
            decompression: .disabled
        )
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }
}
