public import Hummingbird
public import Logging

/// The local stand-in for UPS's OAuth endpoints. This build serves its health check; the
/// OAuth endpoints, sign-in pages and resource API come with the OAuth engine.
public enum SandboxApplication {
    public static func build(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "ups-sandbox"),
            onServerRunning: { channel in
                logger.notice("ups-sandbox listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger
        )
    }
}
