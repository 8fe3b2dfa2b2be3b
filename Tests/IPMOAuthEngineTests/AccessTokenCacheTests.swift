import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Synchronization
import Testing
import UPSSandbox

/// The token cache's rules (decision 66), on the real engine and database, with the change
/// feed played by hand (`cache.apply`) — except the last test, which listens for real.
@Suite("The access-token cache")
struct AccessTokenCacheTests {
    /// A company's opt-out written behind the cache's back (nothing is reported to it).
    private func optOutSilently(_ harness: EngineHarness) async throws {
        _ = try await harness.connections.transition(harness.company.id) { [admin = harness.admin, clock = harness.clock] connection in
            try connection.optOut(by: admin, at: clock.now())
        }
    }

    @Test("a cached token is served from memory until the company's change is reported, then the database decides")
    func servedUntilChanged() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let cache = AccessTokenCache()
            cache.apply(.listening)
            let tokens = UPSAccessTokens(refresher: harness.refresher, cache: cache)
            let first = try await tokens.accessToken(for: harness.company.id)
            #expect(cache.count == 1)
            try await optOutSilently(harness)
            // Not asked again: the opt-out has not been reported, so memory still answers.
            #expect(try await tokens.accessToken(for: harness.company.id) == first)
            cache.apply(.changed(CompanyID(UUID())))
            #expect(try await tokens.accessToken(for: harness.company.id) == first, "another company's change leaves it")
            cache.apply(.changed(harness.company.id))
            await #expect(throws: AccessTokenFailure.notAuthenticated(.optedOut, reason: nil)) {
                try await tokens.accessToken(for: harness.company.id)
            }
            #expect(cache.count == 0)
        }
    }

    @Test("nothing is served from memory before the feed listens, nor after it is interrupted, and it starts empty again")
    func onlyWhileListening() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let cache = AccessTokenCache()
            let tokens = UPSAccessTokens(refresher: harness.refresher, cache: cache)
            let first = try await tokens.accessToken(for: harness.company.id)
            #expect(cache.count == 0, "not listening yet: nothing is kept")
            cache.apply(.listening)
            #expect(try await tokens.accessToken(for: harness.company.id) == first)
            #expect(cache.count == 1)
            cache.apply(.interrupted)
            #expect(cache.count == 0 && !cache.isListening)
            try await optOutSilently(harness)
            await #expect(throws: AccessTokenFailure.notAuthenticated(.optedOut, reason: nil)) {
                try await tokens.accessToken(for: harness.company.id)
            }
            // Back: empty, and filled only from what the database says now.
            cache.apply(.listening)
            await #expect(throws: AccessTokenFailure.notAuthenticated(.optedOut, reason: nil)) {
                try await tokens.accessToken(for: harness.company.id)
            }
            #expect(cache.count == 0)
        }
    }

    @Test("a token within the refresh margin is not served from memory: it is refreshed first, once")
    func notWithinTheMargin() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let cache = AccessTokenCache()
            cache.apply(.listening)
            let instanceA = UPSAccessTokens(refresher: harness.refresher(policy: .standard), cache: cache)
            let instanceB = UPSAccessTokens(refresher: harness.refresher(policy: .standard), cache: AccessTokenCache())
            let old = try await instanceA.accessToken(for: harness.company.id)
            #expect(cache.count == 1)
            harness.clock.advance(by: 4 * 3600 - 10 * 60)  // within the 24-minute margin of a 4-hour token
            let issued = try await withThrowingTaskGroup(of: IssuedAccessToken.self) { group in
                for index in 0..<20 {
                    let tokens = index % 2 == 0 ? instanceA : instanceB
                    group.addTask { try await tokens.accessToken(for: harness.company.id) }
                }
                return try await group.reduce(into: [IssuedAccessToken]()) { $0.append($1) }
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 1, "one refresh for 20 callers")
            #expect(!issued.contains(old), "the token within the margin was never handed out again")
            #expect(Set(issued.map(\.token)).count == 1)
        }
    }

    @Test("a read begun before a reported change is not kept after it")
    func ticketsFromBeforeAChange() {
        let company = CompanyID(UUID())
        let other = CompanyID(UUID())
        let token = IssuedAccessToken(token: Secret("tok"), expiresAt: Date().addingTimeInterval(3600))
        let servable = AccessTokenCache.Servable(generation: 1, until: Date().addingTimeInterval(1800))
        let cache = AccessTokenCache()
        #expect(!cache.store(token, servable, for: company, ticket: cache.ticket()), "not listening: nothing is kept")
        let beforeListening = cache.ticket()
        cache.apply(.listening)
        #expect(!cache.store(token, servable, for: company, ticket: beforeListening), "read before LISTEN was back")

        let ticket = cache.ticket()
        cache.apply(.changed(other))
        #expect(!cache.changed(company, since: ticket))
        cache.apply(.changed(company))
        #expect(cache.changed(company, since: ticket))
        #expect(!cache.store(token, servable, for: company, ticket: ticket), "the company changed after the read began")
        #expect(cache.store(token, servable, for: other, ticket: cache.ticket()))
        #expect(cache.token(for: other, at: Date()) == token)

        let beforeAll = cache.ticket()
        cache.apply(.changedAll)
        #expect(cache.token(for: other, at: Date()) == nil)
        #expect(!cache.store(token, servable, for: company, ticket: beforeAll))
        let beforeInterruption = cache.ticket()
        cache.apply(.interrupted)
        cache.apply(.listening)
        #expect(!cache.store(token, servable, for: company, ticket: beforeInterruption))
        #expect(cache.store(token, servable, for: company, ticket: cache.ticket()))
        #expect(cache.token(for: company, at: servable.until) == nil, "not at the margin's start")
        #expect(cache.count == 0, "an entry past its margin goes")
    }

    @Test("a token UPS refused is no longer served from memory")
    func refusedTokenIsForgotten() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let cache = AccessTokenCache()
            cache.apply(.listening)
            let tokens = UPSAccessTokens(refresher: harness.refresher, cache: cache)
            let old = try await tokens.accessToken(for: harness.company.id)
            #expect(cache.count == 1)
            // Issued moments ago, so not renewed yet (decision 41), but dropped from memory.
            _ = try await tokens.accessToken(for: harness.company.id, replacing: old.token)
            #expect(cache.count == 0)
        }
    }

    @Test("the margin's start agrees with isDueForRefresh")
    func marginStartAgreesWithDue() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let connection = try await harness.connection()
            let expiry = try #require(connection.accessTokenExpiresAt)
            for policy in [
                RefreshPolicy.standard, RefreshPolicy(margin: .fixed(60)), RefreshPolicy(margin: .proportional(fraction: 0.5, minimum: 1)),
            ] {
                let starts = try #require(connection.refreshMarginStarts(policy: policy))
                #expect(starts < expiry)
                #expect(!connection.isDueForRefresh(at: starts.addingTimeInterval(-1), policy: policy))
                #expect(connection.isDueForRefresh(at: starts.addingTimeInterval(0.001), policy: policy))
            }
        }
    }

    @Test("PostgreSQL announces every writer's change of a connection to a listener, and a dropped listener says so and comes back")
    func listeningForReal() async throws {
        let key = "k1:" + Data(repeating: 4, count: 32).base64EncodedString()
        try await EngineHarness.run(keys: key) { harness in
            let changes = ChangeLog()
            let feed = PostgresUPSConnectionChanges(client: harness.database.client, logger: harness.logs.logger(label: "feed"))
            let listening = Task { [changes] in await feed.run { change in changes.withLock { $0.append(change) } } }
            func waitFor(_ change: UPSConnectionChange, count: Int = 1) async throws {
                let deadline = ContinuousClock.now + .seconds(20)
                while changes.withLock({ $0.filter { $0 == change }.count }) < count {
                    guard ContinuousClock.now < deadline else {
                        Issue.record("no \(change) within 20 s: \(changes.withLock { $0 })")
                        return
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            try await waitFor(.listening)
            let company = harness.company.id
            try await harness.optInFully()  // opt-in
            try await waitFor(.changed(company))
            _ = await harness.refresher.refresh(company, force: true)  // refresh
            try await waitFor(.changed(company), count: 2)
            // The sweep's store: announced once, after its commit, not by the trigger (decision 78).
            try await harness.database.client.execute(
                "UPDATE ups_connections SET access_token_expires_at = now() - interval '1 second' WHERE company_id = \(company.rawValue)")
            try await waitFor(.changed(company), count: 3)
            let swept = try await harness.refresher.refreshDue(limit: 10)
            #expect(swept.count == 1 && swept.allSatisfy { if case .refreshed = $0.1 { true } else { false } }, "\(swept)")
            try await waitFor(.changed(company), count: 4)
            try await Task.sleep(for: .milliseconds(300))
            #expect(changes.withLock { $0.filter { $0 == .changed(company) }.count } == 4, "one announcement of the sweep's store")
            let rotation = SecretRotation(
                client: harness.database.client,
                secrets: try AESGCMKeyRing.parse("k9:" + Data(repeating: 9, count: 32).base64EncodedString() + "," + key),
                logger: harness.logs.logger(label: "rotate"))
            #expect(try await rotation.rotate().tokenPairs == 1)  // key rotation
            try await waitFor(.changed(company), count: 5)
            try await optOutSilently(harness)  // opt-out
            try await waitFor(.changed(company), count: 6)
            let created = try await harness.services.companies.create(try CompanyName("Listened"), by: .operator("test"))
            try await waitFor(.changed(created.id))
            try await harness.database.client.execute("DELETE FROM companies WHERE id = \(created.id.rawValue)")
            try await waitFor(.changed(created.id), count: 2)
            // A transaction rolled back announces nothing.
            let before = changes.withLock { $0.count }
            await #expect(throws: (any Error).self) {
                try await harness.database.client.withTransaction { connection in
                    try connection.execute("UPDATE ups_connections SET updated_at = now() WHERE company_id = \(company.rawValue)")
                    try connection.execute("SELECT 1/0")
                }
            }

            // The listening connection killed: interrupted, then listening again by itself.
            let killed = try await harness.database.client.query(
                "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'ipm listener' AND datname = current_database()"
            )
            #expect(killed.count == 1)
            try await waitFor(.interrupted)
            #expect(changes.withLock { $0[before...].first } == .interrupted, "nothing from the rolled-back transaction")
            try await waitFor(.listening, count: 2)
            try await harness.database.client.execute("UPDATE ups_connections SET updated_at = now() WHERE company_id = \(company.rawValue)")
            try await waitFor(.changed(company), count: 7)
            listening.cancel()
            await listening.value
        }
    }
}

/// What a change feed reported, in order.
private final class ChangeLog: Sendable {
    private let changes = Mutex<[UPSConnectionChange]>([])

    func withLock<R>(_ body: (inout [UPSConnectionChange]) -> R) -> R {
        changes.withLock { body(&$0) }
    }
}
