import ArgumentParser
import IPMDomain
import Logging
import ServiceLifecycle
import UnixSignals
import UPSSandbox

/// `ups-sandbox`: a local stand-in for UPS's OAuth service, for tests and demos.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ups-sandbox",
        abstract: "Serve a local stand-in for UPS's OAuth endpoints (tests and demos only).",
        version: IPMBuild.version
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8090

    func run() async throws {
        let logger = LoggingSetup.logger(label: "ups-sandbox", level: "info")
        let application = SandboxApplication.build(host: host, port: port, logger: logger)
        try await ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }
}

public enum SandboxEntry {
    public static func main() async {
        await SandboxCommand.main()
    }
}
