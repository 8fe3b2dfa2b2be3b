import AsyncHTTPClient
import Logging
import ServiceLifecycle

/// The outbound HTTP client (UPS, the webhook receiver) as a service: shut down when the
/// service group shuts down, after the services listed after it (the HTTP server, the
/// workers) have stopped using it.
struct HTTPClientService: Service {
    let client: HTTPClient
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        try? await client.shutdown()
        logger.debug("HTTP client closed")
    }
}
