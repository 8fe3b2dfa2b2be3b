import ArgumentParser
import Foundation
import Hummingbird
import IPMDomain
import Metrics
import Prometheus
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// `ipm-server`: the HTTP front. Settings come from the environment (DESIGN.md).
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipm-server",
        abstract: "Serve IPM over HTTP: web pages, the JSON API, /healthz and /readyz.",
        discussion: """
            Configured by environment variables (or the file named by IPM_CONFIG_FILE): \
            IPM_HTTP_HOST, IPM_HTTP_PORT, IPM_HTTP_IDLE_TIMEOUT, IPM_HTTP_READ_TIMEOUT, IPM_HTTP_MAX_HEADER_BYTES, IPM_PUBLIC_URL, IPM_DATABASE_URL (or PG*; unset starts \
            the embedded PostgreSQL under IPM_STATE_DIR), IPM_UPS_*, IPM_ENCRYPTION_KEYS, IPM_LOG_LEVEL. \
            SIGTERM or SIGINT stops it gracefully.
            """,
        version: IPMBuild.version
    )

    @Flag(
        name: .customLong("check-health"),
        help: "Ask the server these settings describe for /readyz and exit: 0 ready, 1 not (a container HEALTHCHECK without curl).")
    var checkHealth = false

    func run() async throws {
        let configuration = try IPMConfiguration.load()
        if checkHealth {
            if let problem = await HealthCheck.problem(host: configuration.httpHost, port: configuration.httpPort) {
                FileHandle.standardError.write(Data(("ipm-server: not ready: " + problem + "\n").utf8))
                throw ExitCode.failure
            }
            print("ready: " + HealthCheck.readinessURL(host: configuration.httpHost, port: configuration.httpPort))
            return
        }
        let logger = LoggingSetup.logger(label: "ipm-server", level: configuration.logLevel)
        // The metrics system is the process's: bootstrapped once, here, never by the tests.
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        let application = try await buildApplication(configuration: configuration, metrics: metrics, logger: logger)
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

public enum ServerEntry {
    public static func main() async {
        boundMallocArenas()
        EmbeddedIdleWatcher.runIfRequested()
        await ServerCommand.main()
    }

    /// glibc gives every thread that allocates an arena of its own, up to 8 per core, and
    /// keeps what each has freed: the event loops, the cooperative pool and every libpq
    /// connection's thread each hold theirs, and the server's memory grows with its threads,
    /// not its work. Two arenas serve a 2-core server's few allocating threads (decision 77).
    /// `MALLOC_ARENA_MAX` in the environment still wins.
    static func boundMallocArenas() {
        #if canImport(Glibc)
        // `mallopt` is in <malloc.h>, which the Glibc module does not export: looked up by name.
        guard getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        _ = unsafeBitCast(symbol, to: MallOpt.self)(arenaMax, 2)
        #endif
    }
}
