import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Testing

/// `IPM_SERVICE_TOKEN_CACHE`: two repositories on one database stand for two ipm-server
/// instances, each with its own cache.
@Suite("Service credentials remembered for a few seconds")
struct ServiceCredentialCacheTests {
    let database: TestDatabase
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() async throws {
        database = try await TestDatabase.fresh()
    }

    private func credential(_ name: String) -> ServiceCredential {
        ServiceCredential(name: name, scopes: [.accessToken], createdAt: now, createdBy: "operator")
    }

    @Test("a live credential is not looked up again within the lifetime; a revocation elsewhere lands when it ends")
    func revocationByAnotherInstanceLandsWhenTheEntryExpires() async throws {
        let lifetime = Duration.seconds(4)
        let instanceA = PostgresServiceCredentialRepository(client: database.client, cacheLifetime: lifetime)
        let instanceB = PostgresServiceCredentialRepository(client: database.client, cacheLifetime: lifetime)
        let token = Secret(ServiceCredential.tokenPrefix + "billing-token")
        try await instanceB.create(credential("billing"), token: token)

        let readAt = ContinuousClock.now  // A's entry lives until at least readAt + lifetime
        #expect(try await instanceA.authenticate(token, at: now)?.name == "billing")
        _ = try await instanceB.revoke(name: "billing", at: now)
        #expect(try await instanceB.authenticate(token, at: now) == nil, "the revoking instance forgets it at once")
        let stillTrusted = try await instanceA.authenticate(token, at: now) != nil
        if ContinuousClock.now - readAt < lifetime {
            #expect(stillTrusted, "the other instance still trusts what it read")
        }

        var accepted = true
        while accepted, ContinuousClock.now - readAt < .seconds(60) {
            try await Task.sleep(for: .milliseconds(200))
            accepted = try await instanceA.authenticate(token, at: now) != nil
        }
        #expect(!accepted, "the revocation reached the other instance")
        #expect(ContinuousClock.now - readAt >= lifetime, "not before its entry expired")
    }

    @Test("an unknown token is never remembered: a credential created a moment later works at once")
    func unknownTokensAreNotCached() async throws {
        let instance = PostgresServiceCredentialRepository(client: database.client, cacheLifetime: .seconds(60))
        let token = Secret(ServiceCredential.tokenPrefix + "created-later")
        #expect(try await instance.authenticate(token, at: now) == nil)
        try await instance.create(credential("later"), token: token)
        #expect(try await instance.authenticate(token, at: now)?.name == "later")
    }

    @Test("without a lifetime every request asks the database")
    func noCacheMeansEveryRequestAsks() async throws {
        let instanceA = PostgresServiceCredentialRepository(client: database.client)
        let instanceB = PostgresServiceCredentialRepository(client: database.client)
        let token = Secret(ServiceCredential.tokenPrefix + "uncached")
        try await instanceB.create(credential("uncached"), token: token)
        #expect(try await instanceA.authenticate(token, at: now) != nil)
        _ = try await instanceB.revoke(name: "uncached", at: now)
        #expect(try await instanceA.authenticate(token, at: now) == nil)
    }
}
