import IPMDomain
import Logging
import Metrics
import ServiceLifecycle

/// Publishes how many webhook deliveries are pending and dead (`ipm_webhook_deliveries{state=…}`)
/// every `interval`. Runs beside the deliverer, only when a webhook is configured. Every
/// instance reports the whole database's numbers: aggregate them with `max`, not `sum`.
struct WebhookDeliveryGaugeService: Service {
    static let label = "ipm_webhook_deliveries"

    let deliveries: any WebhookDeliveryLog
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
            for (state, count) in try await deliveries.countByState() {
                Gauge(label: Self.label, dimensions: [("state", state.rawValue)], factory: factory).record(count)
            }
        } catch {
            logger.warning("counting webhook deliveries failed; the gauge keeps its last values", metadata: ["error": "\(error)"])
        }
    }
}
