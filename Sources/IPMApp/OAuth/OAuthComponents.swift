import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import Logging

/// The OAuth engine on the opened database: the UPS provider with its HTTP client, the key
/// ring, the opt-in flow and the refresher. Whoever builds it shuts it down.
struct OAuthComponents: Sendable {
    let keyRing: AESGCMKeyRing
    let optIn: UPSOptInEngine
    let refresher: UPSTokenRefresher
    /// The UPS proxy's way to UPS's resource APIs, on the same HTTP client.
    let forwarder: UPSResourceForwarder
    /// Pooled outbound HTTP (UPS, and the webhook); shut down with the components.
    let httpClient: HTTPClient

    /// The UPS app's client id and secret, or the one-line error naming the missing one.
    @discardableResult
    static func checkCredentials(_ configuration: IPMConfiguration) throws -> (id: String, secret: String) {
        guard let clientID = configuration.upsClientID, !clientID.isEmpty else {
            throw ConfigurationError("IPM_UPS_CLIENT_ID", "expected the client id of IPM's app at UPS (for the local sandbox: ipm-demo-client)")
        }
        // HTTP Basic joins id and secret with ':' unencoded, as UPS's SDKs do (decision 39).
        guard !clientID.contains(":") else {
            throw ConfigurationError("IPM_UPS_CLIENT_ID", "expected a client id without ':' (UPS issues letters and digits), got '\(clientID)'")
        }
        guard let clientSecret = configuration.upsClientSecret, !clientSecret.isEmpty else {
            throw ConfigurationError("IPM_UPS_CLIENT_SECRET", "expected the client secret of IPM's app at UPS")
        }
        return (clientID, clientSecret)
    }

    static func make(_ configuration: IPMConfiguration, services: DomainServices, client: PostgresClient, logger: Logger) throws -> OAuthComponents {
        let keyRing = try KeyRingLoader.load(configuration)
        let (clientID, clientSecret) = try checkCredentials(configuration)
        let providerConfiguration = UPSProviderConfiguration(
            baseURL: configuration.upsBaseURL, clientID: clientID, clientSecret: Secret(clientSecret),
            redirectURI: configuration.upsRedirectURI, scope: configuration.upsScope, usesPKCE: configuration.upsPKCE
        )
        // Room for every refresh in flight, and for the token API's and the proxy's calls besides.
        let httpClient = UPSProvider.makeHTTPClient(configuration: providerConfiguration, connections: configuration.refreshConcurrency + 8)
        let provider = UPSProvider(configuration: providerConfiguration, httpClient: httpClient, clock: services.clock, logger: logger)
        let random = SystemRandomSource()
        let optIn = UPSOptInEngine(
            server: provider, requests: PostgresAuthorizationRequestRepository(client: client),
            connections: services.connections, admins: services.admins, access: services.companyAccess,
            secrets: keyRing, random: random, clock: services.clock, usePKCE: configuration.upsPKCE, logger: logger
        )
        let refresher = UPSTokenRefresher(
            server: provider, connections: services.connections, secrets: keyRing, clock: services.clock,
            random: random, retry: RetryPolicy(), policy: configuration.refreshPolicy,
            concurrency: configuration.refreshConcurrency, logger: logger
        )
        return OAuthComponents(
            keyRing: keyRing, optIn: optIn, refresher: refresher,
            forwarder: UPSResourceForwarder(configuration: providerConfiguration, httpClient: httpClient), httpClient: httpClient
        )
    }

    func shutdown() async {
        try? await httpClient.shutdown()
    }
}
