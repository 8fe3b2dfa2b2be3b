import ArgumentParser
import Logging

/// `ups-sandbox`: a local stand-in for UPS's OAuth service, for tests and demos. With no
/// subcommand it serves (`serve`); `set-password` changes a UPS.com user's password in a
/// running sandbox. The executable is this command alone: it links neither the product nor libpq.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ups-sandbox",
        abstract: "Serve a local stand-in for UPS's OAuth endpoints (tests and demos only).",
        version: SandboxBuild.version,
        subcommands: [SandboxServeCommand.self, SandboxSetPasswordCommand.self],
        defaultSubcommand: SandboxServeCommand.self
    )
}

/// `ups-sandbox`'s `main`: the executable is this call alone.
public enum SandboxEntry {
    public static func main() async {
        await SandboxCommand.main()
    }
}

/// This build of the sandbox, as `--version` prints it: the IPM release it ships with
/// (`IPMBuild.version`; a test in IPMAppTests keeps the two equal, since the sandbox does not
/// link IPM's domain to read it).
public enum SandboxBuild {
    public static let version = "0.1.0"
}

/// A failure `ups-sandbox` reports as one line on standard error, with exit status 1.
struct SandboxCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Logger {
    /// The sandbox's log: standard error, at `level` (trace … critical; unknown means info).
    static func sandbox(level: String) -> Logger {
        var logger = Logger(label: "ups-sandbox") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}
