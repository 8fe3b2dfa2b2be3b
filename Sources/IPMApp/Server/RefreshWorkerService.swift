import IPMOAuth
import Logging
import ServiceLifecycle

/// The refresh worker as a service of `ipm-server`: it stops with the server's graceful shutdown.
struct RefreshWorkerService: Service {
    let worker: RefreshWorker
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await worker.run()
        }
        logger.debug("refresh worker stopped")
    }
}
