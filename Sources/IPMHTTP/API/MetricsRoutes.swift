import Crypto
import HTTPTypes
public import Hummingbird
import HummingbirdAuth
import NIOCore
public import Prometheus

/// `/metrics` in Prometheus's text format, from the registry swift-metrics was bootstrapped
/// with. With a `token` (`IPM_METRICS_TOKEN`) only a scraper that sends
/// `Authorization: Bearer <token>` reads it; anyone else gets a 401 that reveals nothing.
public struct MetricsRoutes: Sendable {
    let registry: PrometheusCollectorRegistry
    /// SHA-256 of the required bearer token; `nil` leaves `/metrics` open.
    private let tokenDigest: [UInt8]?

    public init(registry: PrometheusCollectorRegistry, token: String? = nil) {
        self.registry = registry
        tokenDigest = token.map { Array(SHA256.hash(data: Array($0.utf8))) }
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/metrics") { request, _ in
            guard allows(request.headers.bearer) else {
                return Response(
                    status: .unauthorized,
                    headers: [.wwwAuthenticate: #"Bearer realm="metrics""#, .contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(string: "Send Authorization: Bearer <IPM_METRICS_TOKEN>.\n"))
                )
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// Compares digests in constant time, so the answer's timing says nothing about the token.
    private func allows(_ bearer: BearerAuthentication?) -> Bool {
        guard let tokenDigest else { return true }
        guard let bearer else { return false }
        let presented = Array(SHA256.hash(data: Array(bearer.token.utf8)))
        return zip(tokenDigest, presented).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
