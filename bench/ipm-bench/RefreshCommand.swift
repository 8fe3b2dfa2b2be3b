import ArgumentParser
import AsyncHTTPClient
import Foundation
import IPMApp
import IPMDomain
import IPMOAuth
import IPMPostgres
import Logging
import Synchronization
import UPSSandboxBrowser

/// `ipm-bench refresh`: every authenticated connection made due at once, then refreshed by
/// the product's refresher as the refresh worker runs it (its passes, its concurrency) until
/// none is due; next to it, in the same run and under whatever latency the sandbox injects,
/// the sandbox's own refresh capacity with a raw client keeping as many refreshes in flight.
struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Refresh every connection at once with IPM's refresher, next to the sandbox's raw /refresh capacity."
    )

    @Option(help: "Refreshes the refresher keeps in flight (IPM_REFRESH_CONCURRENCY).")
    var concurrency = UPSTokenRefresher.defaultConcurrency
    @Option(help: "The refresher's database pool (IPM_DATABASE_MAX_CONNECTIONS).")
    var databaseConnections = 10
    @Option(help: "Connections taken per pass (the refresh worker's batch).")
    var batch = RefreshWorker.defaultBatch
    @Option(help: "Fail unless exactly this many connections were made due.")
    var expect: Int?
    @Option(help: "Refresh chains of the raw client, one fresh grant each; 0 skips the raw measurement.")
    var rawConcurrency = UPSTokenRefresher.defaultConcurrency
    @Option(help: "Refreshes the raw client makes (default: as many as the refresher made).")
    var rawRefreshes: Int?
    @Option(help: "The sandbox's UPS.com user who signs in for the raw client's grants.")
    var upsUser = "bench-shipper"
    @Option(help: "That user's password.")
    var upsPassword = "Bench-Shipper-1"
    @Option(help: "The sandbox's pid, to report its CPU per refresh.")
    var sandboxPID: Int32?
    @Option(help: "The PostgreSQL postmaster's pid, to report the cluster's CPU per refresh.")
    var postgresPID: Int32?

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard databaseConnections >= 1 else { throw ValidationError("--database-connections must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard rawConcurrency >= 0 else { throw ValidationError("--raw-concurrency must not be negative") }
        if let rawRefreshes, rawRefreshes < 1 { throw ValidationError("--raw-refreshes must be at least 1") }
    }

    func run() async throws {
        let environment = try await BenchEnvironment.open(databaseConnections: databaseConnections, refreshConcurrency: concurrency)
        let sandbox = SandboxRefreshClient(
            baseURL: environment.sandboxURL, clientID: environment.providerConfiguration.clientID,
            clientSecret: environment.providerConfiguration.clientSecret.value, connections: rawConcurrency
        )
        do {
            try await measure(environment, sandbox)
        } catch {
            await sandbox.shutdown()
            await environment.close()
            throw error
        }
        await sandbox.shutdown()
        await environment.close()
    }

    private func measure(_ environment: BenchEnvironment, _ sandbox: SandboxRefreshClient) async throws {
        let latency = try await sandbox.refreshLatencyMilliseconds()
        // The bench is no front: one UPDATE makes every connection due.
        let marked = try await environment.client.execute(
            """
            UPDATE ups_connections SET access_token_expires_at = now() - interval '1 second' WHERE status = 'authenticated'
            """)
        guard marked > 0 else { throw BenchFailure("no authenticated connection to refresh: run ipm-bench seed first") }
        if let expect, marked != expect { throw BenchFailure("expected \(expect) connections to make due, found \(marked)") }

        // Counters from zero, so the in-flight peak is this phase's.
        let before = try await sandbox.resetCounters()
        let sampler = DatabaseConnectionSampler()
        let cpu = ProcessCPU(
            watched: [
                sandboxPID.map { .init(name: "sandbox", pid: $0, tree: false) }, postgresPID.map { .init(name: "PostgreSQL", pid: $0, tree: true) },
            ]
            .compactMap { $0 })
        let cpuBefore = cpu.read()
        let (refreshed, seconds) = try await sampler.sampling(environment.postgresConfiguration) {
            try await timed { try await refreshAllDue(environment) }
        }
        let refresherCosts = cpu.costs(from: cpuBefore, to: cpu.read(), units: refreshed)
        let stillDue = try await environment.connections.dueForRefresh(
            at: environment.clock.now(), policy: RefreshPolicy(margin: environment.configuration.refreshMargin), limit: 1
        )
        guard stillDue.isEmpty else { throw BenchFailure("connections are still due after the refresher finished") }
        guard refreshed == marked else { throw BenchFailure("\(marked) connections were due but \(refreshed) were refreshed") }
        let afterRefresher = try await sandbox.counters()
        try Self.check(before, afterRefresher, served: refreshed)
        guard sampler.peak <= databaseConnections else {
            throw BenchFailure("the refresher held \(sampler.peak) database connections, more than its pool of \(databaseConnections)")
        }

        let latencyLabel = latency > 0 ? "\(latency) ms latency on /refresh" : "no injected latency"
        var report = """
            ipm-bench refresh --concurrency \(concurrency) --database-connections \(databaseConnections) --batch \(batch) --raw-concurrency \(rawConcurrency)\(rawRefreshes.map { " --raw-refreshes \($0)" } ?? "")   [\(latencyLabel)]
              IPM refresher (RefreshWorker passes of UPSTokenRefresher.refreshDue, \(concurrency) in flight, pool \(databaseConnections)): \(refreshed) connections in \(Figures.seconds(seconds)) = \(Figures.rate(Double(refreshed) / seconds)) refreshed/s
                refreshes in flight at the sandbox at most: \(afterRefresher["refreshes_in_flight_peak", default: 0]); database connections at most: \(sampler.peak) (pool \(databaseConnections))
                CPU per refresh: \(refresherCosts.description(ownName: "ipm-bench (IPM)"))
            """
        if rawConcurrency > 0 {
            let total = rawRefreshes ?? refreshed
            let browserClient = UPSSignInDriver.makeHTTPClient()
            let browser = UPSSignInDriver(client: browserClient)
            let grants: [Secret]
            do {
                var collected: [Secret] = []
                for _ in 0..<rawConcurrency {
                    collected.append(
                        try await sandbox.freshGrant(provider: environment.provider, browser: browser, username: upsUser, password: upsPassword))
                }
                grants = collected
            } catch {
                try? await browserClient.shutdown()
                throw error
            }
            try await browserClient.shutdown()
            let startRaw = try await sandbox.resetCounters()
            let rawBefore = cpu.read()
            let rawSeconds = try await sandbox.chainedRefreshes(total: total, grants: grants)
            let rawCosts = cpu.costs(from: rawBefore, to: cpu.read(), units: total)
            let afterRaw = try await sandbox.counters()
            try Self.check(startRaw, afterRaw, served: total)
            let rawRate = Double(total) / rawSeconds
            report += """

                  sandbox /refresh, raw client (\(rawConcurrency) chains, fresh grants): \(total) refreshes in \(Figures.seconds(rawSeconds)) = \(Figures.rate(rawRate)) refreshes/s
                    refreshes in flight at the sandbox at most: \(afterRaw["refreshes_in_flight_peak", default: 0])
                    CPU per refresh: \(rawCosts.description(ownName: "ipm-bench (raw client)"))
                  ratio IPM refresher / sandbox capacity: \(Figures.ratio(Double(refreshed) / seconds / rawRate))
                """
            // A rate is the machine's busy share of its CPUs over the CPU one refresh costs it
            // (rate = busy × CPUs / machine CPU per refresh), so the ratio of two rates is
            // (busy_IPM / machine_IPM) / (busy_raw / machine_raw). IPM's refresh costs the machine at
            // least the sandbox's part of it, PostgreSQL's (storing the rotated pair) and the call
            // itself (the raw client's own CPU), and busy_IPM is at most 1: that bounds the ratio.
            // Only where the raw run kept the machine busy: with injected latency the limit is the
            // refreshes in flight, not the CPU.
            if let sandboxCPU = refresherCosts.micros(of: "sandbox"), let postgresCPU = refresherCosts.micros(of: "PostgreSQL"),
                rawCosts.busyPercent >= 80
            {
                // The machine's CPU per raw refresh, had the raw run used all of it.
                let rawAtFullUse = rawCosts.machine / (rawCosts.busyPercent / 100)
                report += """

                      ceiling of that ratio on this machine, were IPM's own CPU zero: \(Figures.ratio(rawAtFullUse / (sandboxCPU + postgresCPU))); \
                    were IPM to spend only what the raw client spends and PostgreSQL nothing: \(Figures.ratio(rawAtFullUse / (sandboxCPU + rawCosts.own)))
                    """
            }
        }
        let end = try await sandbox.counters()
        report +=
            "\n  sandbox counters: refresh_token_reuse=\(end["refresh_token_reuse", default: 0]) refreshes_refused=\(end["refreshes_refused", default: 0])"
        print(report)
    }

    /// Passes as the refresh worker makes them, until one finds nothing due. Anything but
    /// a successful refresh stops the bench.
    private func refreshAllDue(_ environment: BenchEnvironment) async throws -> Int {
        var refreshed = 0
        while true {
            let outcomes = try await environment.refresher.refreshDue(limit: batch)
            if outcomes.isEmpty { return refreshed }
            for (company, outcome) in outcomes {
                guard case .refreshed = outcome else { throw BenchFailure("company \(company): \(outcome.label): \(outcome)") }
                refreshed += 1
            }
        }
    }

    /// The sandbox served exactly `served` refreshes between the two snapshots, refused none,
    /// and never saw a refresh token twice.
    private static func check(_ before: [String: Int], _ after: [String: Int], served: Int) throws {
        let delta = { (name: String) in after[name, default: 0] - before[name, default: 0] }
        guard after["refresh_token_reuse", default: 0] == 0 else {
            throw BenchFailure("the sandbox saw \(after["refresh_token_reuse", default: 0]) reused refresh tokens (refresh_token_reuse)")
        }
        guard delta("refreshes_refused") == 0 else { throw BenchFailure("the sandbox refused \(delta("refreshes_refused")) refreshes") }
        guard delta("refreshes_served") == served else {
            throw BenchFailure("the sandbox served \(delta("refreshes_served")) refreshes, expected \(served)")
        }
    }
}

/// Counts, every 20 ms on a connection of its own, the database connections the refresher's
/// pool holds (`pg_stat_activity` by its application name), and keeps the peak.
final class DatabaseConnectionSampler: Sendable {
    private let highest = Atomic<Int>(0)

    var peak: Int { highest.load(ordering: .relaxed) }

    func sampling<R: Sendable>(_ pool: PostgresConfiguration, _ body: () async throws -> R) async throws -> R {
        var configuration = pool
        let applicationName = pool.applicationName
        configuration.applicationName = applicationName + "-sampler"
        configuration.maxConnections = 1
        let client = PostgresClient(configuration: configuration, logger: .init(label: "ipm-bench.sampler"))
        let sampler = Task {
            while !Task.isCancelled {
                if let rows = try? await client.query(
                    "SELECT count(*)::bigint AS n FROM pg_stat_activity WHERE application_name = \(applicationName)"),
                    let count = try? rows.first?.decode("n", as: Int.self)
                {
                    _ = highest.max(count, ordering: .relaxed)
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        do {
            let result = try await body()
            sampler.cancel()
            _ = await sampler.value
            await client.close()
            return result
        } catch {
            sampler.cancel()
            _ = await sampler.value
            await client.close()
            throw error
        }
    }
}
