import IPMDomain
import IPMOAuth
import Logging
import ServiceLifecycle

/// The change feed of companies' UPS connections as a service of `ipm-server`: what it reports
/// goes to the token cache, which serves nothing until the feed listens (decision 66).
struct ConnectionChangesService: Service {
    let feed: any UPSConnectionChangeFeed
    let cache: AccessTokenCache
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { [feed, cache] in
            await feed.run { change in cache.apply(change) }
        }
        logger.debug("connection change feed stopped")
    }
}
