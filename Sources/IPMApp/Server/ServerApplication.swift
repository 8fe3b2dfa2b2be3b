import Foundation
public import Hummingbird
import IPMDomain
import IPMHTTP
import IPMOAuth
import IPMPostgres
import IPMWebhooks
public import Logging
public import Prometheus
import ServiceLifecycle

/// `ipm-server`, wired: the one start-up that the executable and the tests share (the
/// Hummingbird template's `buildApplication`). It checks the UPS app's credentials, opens
/// the database, and returns the HTTP application with everything it needs as services of
/// its service group: the database pool, the outbound HTTP client, the refresh worker, the
/// gauges, the connection change feed that keeps the token cache honest (unless
/// IPM_TOKEN_CACHE=0) and (with IPM_WEBHOOK_URL) the webhook deliverer.
///
/// A service group shuts its services down in reverse order, each after the one before has
/// finished: the HTTP server first (Hummingbird adds it last), then the workers, then the
/// HTTP client, then the database pool — nothing still running uses what is closed.
///
/// - Parameters:
///   - metrics: where `/metrics` reads from; the caller bootstraps the metrics system with it.
///   - onListening: called with the bound port (tests with IPM_HTTP_PORT=0 learn it here).
public func buildApplication(
    configuration: IPMConfiguration, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    // The UPS app's credentials are checked before anything starts.
    try OAuthComponents.checkCredentials(configuration)
    let database = try await AppDatabase.open(configuration, forMigration: false, logger: logger)
    let services: DomainServices
    let oauth: OAuthComponents
    do {
        services = try DomainServices(client: database.client, configuration: configuration)
        oauth = try OAuthComponents.make(configuration, services: services, client: database.client, logger: logger)
    } catch {
        await database.close()
        throw error
    }
    // Served from memory only while the change feed listens (a service below).
    let tokenCache = configuration.tokenCache ? AccessTokenCache() : nil
    let router = buildRouter(
        configuration: configuration, database: database, services: services, oauth: oauth, tokenCache: tokenCache, metrics: metrics, logger: logger)
    let limits = HTTPServerLimits(
        idleTimeout: .seconds(Int64(configuration.httpIdleTimeout)), readTimeout: .seconds(Int64(configuration.httpReadTimeout)),
        maxHeaderBytes: configuration.httpMaxHeaderBytes
    )
    var application = Application(
        router: router,
        server: limits.server,
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "ipm-server"),
        onServerRunning: { channel in
            logger.notice(
                "ipm-server listening",
                metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")", "public_url": "\(configuration.publicURL)"])
            await onListening(channel.localAddress?.port ?? 0)
        },
        logger: logger
    )
    // First listed, last shut down.
    application.addServices(DatabasePoolService(database: database, logger: logger), HTTPClientService(client: oauth.httpClient, logger: logger))
    application.addServices(workers(configuration: configuration, database: database, services: services, oauth: oauth, logger: logger))
    if let tokenCache {
        application.addServices(
            ConnectionChangesService(feed: PostgresUPSConnectionChanges(client: database.client, logger: logger), cache: tokenCache, logger: logger))
    }
    return application
}

/// The background work of every `ipm-server`.
private func workers(
    configuration: IPMConfiguration, database: AppDatabase, services: DomainServices, oauth: OAuthComponents, logger: Logger
) -> [any Service] {
    let interval = Duration.seconds(configuration.refreshInterval)
    var workers: [any Service] = [
        RefreshWorkerService(worker: RefreshWorker(refresher: oauth.refresher, interval: interval, logger: logger), logger: logger),
        CountGaugeService.connections(services.connections, interval: interval, logger: logger),
    ]
    if let url = configuration.webhookURL, let secret = configuration.webhookSecret {
        workers.append(
            WebhookDelivererService(
                deliverer: WebhookDeliverer(
                    outbox: PostgresWebhookOutbox(client: database.client),
                    configuration: WebhookConfiguration(url: url, secret: Secret(secret)), httpClient: oauth.httpClient,
                    clock: services.clock, random: SystemRandomSource(), giveUpAfter: TimeInterval(configuration.webhookGiveUpAfter), logger: logger
                )))
        workers.append(CountGaugeService.webhookDeliveries(services.webhookLog, interval: interval, logger: logger))
    }
    return workers
}

/// Every route of `ipm-server`, with its middleware.
private func buildRouter(
    configuration: IPMConfiguration, database: AppDatabase, services: DomainServices, oauth: OAuthComponents, tokenCache: AccessTokenCache?,
    metrics: PrometheusCollectorRegistry, logger: Logger
) -> Router<WebRequestContext> {
    let settings = WebSettings(
        publicURL: configuration.publicURL, supportContact: configuration.supportContact, formTargets: [configuration.upsBaseURL])
    let router = Router(context: WebRequestContext.self)
    router.add(middleware: ForwardedClientAddress(proxies: configuration.trustedProxies))
    if let hsts = settings.strictTransportSecurity { router.add(middleware: StrictTransportSecurityMiddleware(value: hsts)) }
    router.add(middleware: MetricsMiddleware())
    HealthRoutes(checks: [DatabaseReadiness(client: database.client)]).register(on: router)
    MetricsRoutes(registry: metrics, token: configuration.metricsToken).register(on: router)
    OpenAPIDocument.register(on: router)
    let web = WebFront(
        sessions: services.sessions, apiTokens: services.apiTokens, access: services.companyAccess, optIn: oauth.optIn,
        invitations: services.invitations, notifications: services.notifications,
        forcedRefresh: services.forcedRefresh(with: oauth.refresher), webhooks: services.webhookDeliveries,
        settings: settings, logger: logger
    )
    web.register(on: router)
    let upsAccess = UPSAccessAPI(
        credentials: ServiceCredentials(
            repository: PostgresServiceCredentialRepository(client: database.client, cacheLifetime: .seconds(configuration.serviceTokenCache)),
            clock: services.clock, random: SystemRandomSource()
        ),
        tokens: UPSAccessTokens(refresher: oauth.refresher, cache: tokenCache), forwarding: oauth.forwarder, clock: services.clock, logger: logger
    )
    APIFront(web: web, upsAccess: upsAccess).register(on: router)
    return router
}
