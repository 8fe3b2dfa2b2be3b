import ArgumentParser

/// `ipm-bench`: measures IPM's token lifecycle against a running `ups-sandbox` and a
/// PostgreSQL database. It prints figures, never judges them; any failure stops it with
/// exit status 1. Settings are ipm-server's own (IPM_DATABASE_URL, IPM_UPS_*,
/// IPM_ENCRYPTION_KEYS), so it seals and opens tokens exactly as the server does.
@main
struct IPMBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipm-bench",
        abstract: "Benchmarks of IPM's token lifecycle (see bench/README.md).",
        subcommands: [SeedCommand.self, RefreshCommand.self, InvalidationCommand.self, RoundtripCommand.self]
    )
}
