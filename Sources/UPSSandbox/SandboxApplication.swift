public import Hummingbird
public import Logging

/// Shortcuts for serving a sandbox; see `Sandbox` for its state and admin API.
public enum SandboxApplication {
    /// The demo sandbox at `host`:`port` (0 picks a free port).
    public static func build(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        build(configuration: .demo(host: host, port: port), logger: logger)
    }

    public static func build(configuration: SandboxConfiguration, logger: Logger) -> some ApplicationProtocol {
        Sandbox(configuration: configuration).application(logger: logger)
    }
}
