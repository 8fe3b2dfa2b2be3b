import IPMDomain
import Logging
import Metrics
import ServiceLifecycle

/// Publishes a count per value of one dimension as a gauge every `interval`, read from the
/// database: companies per connection state (`ipm_ups_connections{status=…}`) and webhook
/// deliveries per state (`ipm_webhook_deliveries{state=…}`). Every instance reports the whole
/// database's numbers: aggregate them with `max`, not `sum`.
struct CountGaugeService: Service {
    let label: String
    let dimension: String
    /// What is counted, for the warning when counting fails.
    let what: String
    let count: @Sendable () async throws -> [(String, Int)]
    let interval: Duration
    let logger: Logger
    var factory: any MetricsFactory = MetricsSystem.factory

    /// `ipm_ups_connections{status=…}`, from one `count(*) … GROUP BY status`.
    static func connections(_ connections: any UPSConnectionRepository, interval: Duration, logger: Logger) -> Self {
        Self(
            label: "ipm_ups_connections", dimension: "status", what: "connections by state",
            count: {
                try await connections.countByStatus().map { ($0.key.rawValue, $0.value) }
            }, interval: interval, logger: logger)
    }

    /// `ipm_webhook_deliveries{state=…}`: pending and dead deliveries.
    static func webhookDeliveries(_ deliveries: any WebhookDeliveryLog, interval: Duration, logger: Logger) -> Self {
        Self(
            label: "ipm_webhook_deliveries", dimension: "state", what: "webhook deliveries",
            count: {
                try await deliveries.countByState().map { ($0.key.rawValue, $0.value) }
            }, interval: interval, logger: logger)
    }

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
            for (value, count) in try await count() {
                Gauge(label: label, dimensions: [(dimension, value)], factory: factory).record(count)
            }
        } catch {
            logger.warning("counting \(what) failed; the gauge keeps its last values", metadata: ["error": "\(error)"])
        }
    }
}
