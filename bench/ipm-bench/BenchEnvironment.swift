import AsyncHTTPClient
import Foundation
import IPMApp
import IPMDomain
import IPMOAuth
import IPMPasswordHashing
import IPMPostgres
import Logging

/// The engine assembled from ipm-server's own settings, as the composition root assembles
/// it (OAuthComponents): the same key ring, provider, refresh policy and defaults.
struct BenchEnvironment: Sendable {
    let configuration: IPMConfiguration
    let client: PostgresClient
    /// The pool's settings (its size, its application name).
    let postgresConfiguration: PostgresConfiguration
    let keyRing: AESGCMKeyRing
    let clock: SystemClock
    let provider: UPSProvider
    let providerConfiguration: UPSProviderConfiguration
    let connections: PostgresUPSConnectionRepository
    let companies: PostgresCompanyRepository
    let admins: PostgresAdminRepository
    let memberships: PostgresMembershipRepository
    let optIn: UPSOptInEngine
    let refresher: UPSTokenRefresher
    /// The provider's pooled client (UPS calls).
    let httpClient: HTTPClient
    let logger: Logger

    /// The sandbox's base URL (IPM_UPS_BASE_URL): the bench only ever talks to a local one.
    var sandboxURL: URL { configuration.upsBaseURL }

    static func open(databaseConnections: Int, refreshConcurrency: Int = UPSTokenRefresher.defaultConcurrency) async throws -> BenchEnvironment {
        let configuration = try IPMConfiguration.load()
        var logger = Logger(label: "ipm-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let connectionString: String
        switch configuration.database {
        case .url(let url): connectionString = url
        case .libpqEnvironment: connectionString = ""
        case .embedded: throw BenchFailure("ipm-bench needs the server's database: set IPM_DATABASE_URL (or PGHOST)")
        }
        guard let keys = configuration.encryptionKeys else {
            throw BenchFailure("ipm-bench needs IPM_ENCRYPTION_KEYS, the same key ring as ipm-server")
        }
        guard let host = configuration.upsBaseURL.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw BenchFailure("IPM_UPS_BASE_URL must be a loopback ups-sandbox, got \(configuration.upsBaseURL)")
        }
        guard let clientID = configuration.upsClientID, let clientSecret = configuration.upsClientSecret else {
            throw BenchFailure("ipm-bench needs IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET (the sandbox's registered client)")
        }
        let keyRing = try AESGCMKeyRing.parse(keys)
        var postgres = PostgresConfiguration(connectionString: connectionString, maxConnections: databaseConnections)
        postgres.acquireTimeout = .seconds(30)
        postgres.applicationName = "ipm-bench"
        let client = PostgresClient(configuration: postgres, logger: logger)
        try await client.ping()

        let clock = SystemClock()
        let providerConfiguration = UPSProviderConfiguration(
            baseURL: configuration.upsBaseURL, clientID: clientID, clientSecret: Secret(clientSecret),
            redirectURI: configuration.upsRedirectURI, scope: configuration.upsScope, usesPKCE: configuration.upsPKCE
        )
        let httpClient = UPSProvider.makeHTTPClient(configuration: providerConfiguration, connections: refreshConcurrency + 8)
        let provider = UPSProvider(configuration: providerConfiguration, httpClient: httpClient, clock: clock, logger: logger)
        let connections = PostgresUPSConnectionRepository(client: client, logger: logger)
        let companies = PostgresCompanyRepository(client: client, clock: clock)
        let admins = try PostgresAdminRepository(client: client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        let memberships = PostgresMembershipRepository(client: client, clock: clock)
        let access = CompanyAccess(
            companies: companies, memberships: memberships, connections: connections,
            audit: PostgresAuditEventRepository(client: client), clock: clock
        )
        let random = SystemRandomSource()
        let optIn = UPSOptInEngine(
            server: provider, requests: PostgresAuthorizationRequestRepository(client: client), connections: connections,
            admins: admins, access: access, secrets: keyRing, random: random, clock: clock,
            usePKCE: configuration.upsPKCE, logger: logger
        )
        // Exactly OAuthComponents' refresher: default retry, the configured margin and concurrency.
        let refresher = UPSTokenRefresher(
            server: provider, connections: connections, secrets: keyRing, clock: clock,
            random: random, retry: RetryPolicy(), policy: RefreshPolicy(margin: configuration.refreshMargin),
            concurrency: refreshConcurrency, logger: logger
        )
        return BenchEnvironment(
            configuration: configuration, client: client, postgresConfiguration: postgres, keyRing: keyRing, clock: clock, provider: provider,
            providerConfiguration: providerConfiguration, connections: connections, companies: companies, admins: admins,
            memberships: memberships, optIn: optIn, refresher: refresher, httpClient: httpClient, logger: logger
        )
    }

    func close() async {
        try? await httpClient.shutdown()
        await client.close()
    }
}
