import Logging
import ServiceLifecycle

/// The opened database (its pool, and the embedded PostgreSQL this process may have started)
/// as a service: closed when the service group shuts down — after every service listed
/// after it, so no request or worker is left holding a connection — or when it is cancelled.
struct DatabasePoolService: Service {
    let database: AppDatabase
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        await database.close()
        logger.debug("database pool closed")
    }
}
