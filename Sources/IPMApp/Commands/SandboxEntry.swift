import ArgumentParser
import IPMDomain

/// `ups-sandbox`: a local stand-in for UPS's OAuth service, for tests and demos. With no
/// subcommand it serves (`serve`); `set-password` changes a UPS.com user's password in a
/// running sandbox.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ups-sandbox",
        abstract: "Serve a local stand-in for UPS's OAuth endpoints (tests and demos only).",
        version: IPMBuild.version,
        subcommands: [SandboxServeCommand.self, SandboxSetPasswordCommand.self],
        defaultSubcommand: SandboxServeCommand.self
    )
}

public enum SandboxEntry {
    public static func main() async {
        await SandboxCommand.main()
    }
}
