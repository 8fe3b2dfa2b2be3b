import ArgumentParser
import AsyncHTTPClient
import Foundation
import IPMApp
import IPMDomain
import IPMOAuth
import IPMPostgres
import UPSSandboxBrowser

/// `ipm-bench refresh`: every authenticated connection made due at once, then refreshed by
/// the product's refresher (its default concurrency, the worker's batch) until none is
/// due; next to it, in the same run, the sandbox's own refresh capacity with a raw client.
struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Refresh every connection at once with IPM's refresher, next to the sandbox's raw /refresh capacity."
    )

    @Option(help: "Connections taken per pass (the refresh worker's batch).")
    var batch = 100
    @Option(help: "Fail unless exactly this many connections were made due.")
    var expect: Int?
    @Option(help: "Refresh chains of the raw client, one fresh grant each; 0 skips the raw measurement.")
    var rawConcurrency = 16
    @Option(help: "Refreshes the raw client makes (default: as many as the refresher made).")
    var rawRefreshes: Int?
    @Option(help: "The sandbox's UPS.com user who signs in for the raw client's grants.")
    var upsUser = "bench-shipper"
    @Option(help: "That user's password.")
    var upsPassword = "Bench-Shipper-1"

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard rawConcurrency >= 0 else { throw ValidationError("--raw-concurrency must not be negative") }
        if let rawRefreshes, rawRefreshes < 1 { throw ValidationError("--raw-refreshes must be at least 1") }
    }

    func run() async throws {
        let environment = try await BenchEnvironment.open(databaseConnections: 10)
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
        let before = try await sandbox.counters()
        // The bench is no front: one UPDATE makes every connection due.
        let marked = try await environment.client.execute(
            """
            UPDATE ups_connections SET access_token_expires_at = now() - interval '1 second' WHERE status = 'authenticated'
            """)
        guard marked > 0 else { throw BenchFailure("no authenticated connection to refresh: run ipm-bench seed first") }
        if let expect, marked != expect { throw BenchFailure("expected \(expect) connections to make due, found \(marked)") }

        let (refreshed, seconds) = try await timed { try await refreshAllDue(environment) }
        let stillDue = try await environment.connections.dueForRefresh(
            at: environment.clock.now(), policy: RefreshPolicy(margin: environment.configuration.refreshMargin), limit: 1
        )
        guard stillDue.isEmpty else { throw BenchFailure("connections are still due after the refresher finished") }
        guard refreshed == marked else { throw BenchFailure("\(marked) connections were due but \(refreshed) were refreshed") }
        let afterRefresher = try await sandbox.counters()
        try Self.check(before, afterRefresher, served: refreshed)

        var report = """
            ipm-bench refresh --batch \(batch) --raw-concurrency \(rawConcurrency)\(rawRefreshes.map { " --raw-refreshes \($0)" } ?? "")
              IPM refresher (UPSTokenRefresher.refreshDue, concurrency 4, batch \(batch)): \(refreshed) connections in \(Figures.seconds(seconds)) = \(Figures.rate(Double(refreshed) / seconds)) refreshed/s
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
            let startRaw = try await sandbox.counters()
            let rawSeconds = try await sandbox.chainedRefreshes(total: total, grants: grants)
            try Self.check(startRaw, try await sandbox.counters(), served: total)
            let rawRate = Double(total) / rawSeconds
            report += """

                  sandbox /refresh, raw client (\(rawConcurrency) chains, fresh grants): \(total) refreshes in \(Figures.seconds(rawSeconds)) = \(Figures.rate(rawRate)) refreshes/s
                  ratio IPM refresher / sandbox capacity: \(Figures.ratio(Double(refreshed) / seconds / rawRate))
                """
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
