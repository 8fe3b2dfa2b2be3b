import ArgumentParser
import Foundation
import Hummingbird
import IPMDomain
import IPMHTTP
import IPMOAuth
import IPMPostgres
import IPMWebhooks
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `ipm-server`: the HTTP front. Settings come from the environment (DESIGN.md).
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipm-server",
        abstract: "Serve IPM over HTTP: web pages, the JSON API, /healthz and /readyz.",
        discussion: """
            Configured by environment variables (or the file named by IPM_CONFIG_FILE): \
            IPM_HTTP_HOST, IPM_HTTP_PORT, IPM_HTTP_IDLE_TIMEOUT, IPM_HTTP_READ_TIMEOUT, IPM_HTTP_MAX_HEADER_BYTES, IPM_PUBLIC_URL, IPM_DATABASE_URL (or PG*; unset starts \
            the embedded PostgreSQL under IPM_STATE_DIR), IPM_UPS_*, IPM_ENCRYPTION_KEYS, IPM_LOG_LEVEL. \
            SIGTERM or SIGINT stops it gracefully.
            """,
        version: IPMBuild.version
    )

    @Flag(name: .customLong("check-health"), help: "Ask the server these settings describe for /readyz and exit: 0 ready, 1 not (a container HEALTHCHECK without curl).")
    var checkHealth = false

    func run() async throws {
        let configuration = try IPMConfiguration.load()
        if checkHealth {
            if let problem = await HealthCheck.problem(host: configuration.httpHost, port: configuration.httpPort) {
                FileHandle.standardError.write(Data(("ipm-server: not ready: " + problem + "\n").utf8))
                throw ExitCode.failure
            }
            print("ready: " + HealthCheck.readinessURL(host: configuration.httpHost, port: configuration.httpPort))
            return
        }
        let logger = LoggingSetup.logger(label: "ipm-server", level: configuration.logLevel)
        // The UPS app's credentials are checked before anything starts.
        try OAuthComponents.checkCredentials(configuration)
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        let database = try await AppDatabase.open(configuration, forMigration: false, logger: logger)
        let oauth: OAuthComponents
        let application: any Service
        var workers: [any Service] = []
        do {
            let services = try DomainServices(client: database.client, configuration: configuration)
            oauth = try OAuthComponents.make(configuration, services: services, client: database.client, logger: logger)
            application = ServerApplication.build(
                configuration: configuration, database: database, services: services, oauth: oauth, metrics: metrics, logger: logger
            )
            workers.append(RefreshWorkerService(worker: RefreshWorker(
                refresher: oauth.refresher, interval: .seconds(configuration.refreshInterval), logger: logger
            )))
            workers.append(CountGaugeService.connections(services.connections, interval: .seconds(configuration.refreshInterval), logger: logger))
            if let url = configuration.webhookURL, let secret = configuration.webhookSecret {
                workers.append(WebhookDelivererService(deliverer: WebhookDeliverer(
                    outbox: PostgresWebhookOutbox(client: database.client),
                    configuration: WebhookConfiguration(url: url, secret: Secret(secret)), httpClient: oauth.httpClient,
                    clock: services.clock, random: SystemRandomSource(), giveUpAfter: TimeInterval(configuration.webhookGiveUpAfter), logger: logger
                )))
                workers.append(CountGaugeService.webhookDeliveries(services.webhookLog, interval: .seconds(configuration.refreshInterval), logger: logger))
            }
        } catch {
            await database.close()
            throw error
        }
        let group = ServiceGroup(
            configuration: .init(services: [application] + workers, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            await oauth.shutdown()
            await database.close()
            throw error
        }
        await oauth.shutdown()
        await database.close()
    }
}

enum ServerApplication {
    static func build(
        configuration: IPMConfiguration, database: AppDatabase, services: DomainServices, oauth: OAuthComponents,
        metrics: PrometheusCollectorRegistry, logger: Logger
    ) -> some ApplicationProtocol {
        let settings = WebSettings(publicURL: configuration.publicURL, supportContact: configuration.supportContact, formTargets: [configuration.upsBaseURL])
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
            credentials: ServiceCredentials(repository: PostgresServiceCredentialRepository(client: database.client, cacheLifetime: .seconds(configuration.serviceTokenCache)), clock: services.clock, random: SystemRandomSource()),
            tokens: UPSAccessTokens(refresher: oauth.refresher), forwarding: oauth.forwarder, clock: services.clock, logger: logger
        )
        APIFront(web: web, upsAccess: upsAccess).register(on: router)
        let limits = HTTPServerLimits(
            idleTimeout: .seconds(Int64(configuration.httpIdleTimeout)), readTimeout: .seconds(Int64(configuration.httpReadTimeout)),
            maxHeaderBytes: configuration.httpMaxHeaderBytes
        )
        return Application(
            router: router,
            server: limits.server,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "ipm-server"),
            onServerRunning: { channel in
                logger.notice("ipm-server listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")", "public_url": "\(configuration.publicURL)"])
            },
            logger: logger
        )
    }
}

/// The database answers a trivial query.
struct DatabaseReadiness: ReadinessCheck {
    let client: PostgresClient
    var name: String { "database" }
    func check() async throws { try await client.ping() }
}

public enum ServerEntry {
    public static func main() async {
        await ServerCommand.main()
    }
}
