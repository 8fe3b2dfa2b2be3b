import IPMDomain
import Logging
import Metrics
import ServiceLifecycle

/// Publishes how many companies are in each connection state (`ipm_ups_connections{status=…}`)
/// from one `count(*) … GROUP BY status` every `interval`. Every instance reports the whole
/// database's numbers: aggregate them with `max`, not `sum`.
struct ConnectionGaugeService: Service {
    static let label = "ipm_ups_connections"

    let connections: any UPSConnectionRepository
    let interval: Duration
    let logger: Logger
    var factory: any MetricsFactory = MetricsSystem.factory

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await update()
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }

    /// One reading; a database that is away leaves the last values standing.
    func update() async {
        do {
            for (status, count) in try await connections.countByStatus() {
                Gauge(label: Self.label, dimensions: [("status", status.rawValue)], factory: factory).record(count)
            }
        } catch {
            logger.warning("counting connections by state failed; the gauge keeps its last values", metadata: ["error": "\(error)"])
        }
    }
}
