import IPMOAuth
import IPMWebhooks
import ServiceLifecycle

/// The refresh worker as a service of `ipm-server`: it stops with the server's graceful shutdown.
struct RefreshWorkerService: Service {
    let worker: RefreshWorker

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await worker.run()
        }
    }
}

/// The webhook deliverer as a service of `ipm-server` (only when IPM_WEBHOOK_URL is set).
struct WebhookDelivererService: Service {
    let deliverer: WebhookDeliverer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await deliverer.run()
        }
    }
}
