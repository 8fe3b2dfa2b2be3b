import IPMWebhooks
import ServiceLifecycle

/// The webhook deliverer as a service of `ipm-server` (only when IPM_WEBHOOK_URL is set).
struct WebhookDelivererService: Service {
    let deliverer: WebhookDeliverer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await deliverer.run()
        }
    }
}
