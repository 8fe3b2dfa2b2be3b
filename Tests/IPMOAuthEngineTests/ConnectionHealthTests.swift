import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import MetricsTestKit
import Testing
import UPSSandbox

/// Issue 12, points 2, 6 and 7, against the sandbox and a real PostgreSQL: UPS's 403 "Blocked
/// Merchant" keeps the tokens, health events reach the admins once per change, and every
/// "opt in again" carries IPM's own start page.
@Suite("Connection health: blocked merchants, health events, re-authorization links")
struct ConnectionHealthTests {
    /// Every refresh is due (a margin longer than the sandbox's 4-hour access tokens).
    static let policy = RefreshPolicy(
        margin: .fixed(5 * 3600), backoffBase: 1, cooldown: 2, failingThreshold: 3, blockedRetryInterval: 600, announcementPeriod: 3600)

    @Test("a 403 Blocked Merchant on refresh keeps the tokens, blocks the company, tells admins and operators once, and recovers by itself")
    func blockedMerchantKeepsTokensAndRecovers() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let before = try #require(try await harness.storedTokens())
            let metrics = TestMetrics()
            let refresher = harness.refresher(policy: Self.policy, metrics: RefreshMetrics(factory: metrics))
            try harness.sandbox.setFaults(FaultConfiguration(blockedClients: [EngineHarness.clientID]))

            let outcome = await refresher.refresh(harness.company.id, force: true)
            #expect(outcome.metricLabel == "blocked", "\(outcome)")
            let blocked = try await harness.connection()
            #expect(blocked.status == .blocked)
            #expect(blocked.blockedReason?.contains("Blocked Merchant") == true)
            #expect(blocked.blockedReason?.contains("Opting in again does not help") == true)
            let wait = try #require(blocked.refreshHealth.nextAttemptAt).timeIntervalSince(harness.clock.now())
            #expect((530...600).contains(wait), "the long blocked interval, not the short backoff: \(wait)")
            let kept = try #require(try await harness.storedTokens(), "a blocked company keeps its tokens")
            #expect(kept.access == before.access && kept.refresh == before.refresh)
            #expect(harness.logs.all.contains { $0.hasPrefix("critical UPS blocked the merchant") }, "operators are told loudly")
            #expect(metrics.counters(label: "ipm_token_refreshes_total", dimensions: [("outcome", "blocked")]).map(\.totalValue).reduce(0, +) == 1)

            // The token API hands out nothing for a blocked merchant, and says why and when.
            await #expect {
                _ = try await UPSAccessTokens(refresher: refresher).accessToken(for: harness.company.id)
            } throws: { error in
                guard case .blocked(let reason, let retryAt)? = error as? AccessTokenFailure else { return false }
                return reason.contains("Blocked Merchant") && retryAt == blocked.refreshHealth.nextAttemptAt
            }

            // Not tried again before the interval is over; then tried, still blocked: no second event.
            #expect(try await refresher.refreshDue(limit: 10).isEmpty)
            #expect(harness.sandbox.counters[.faultsBlockedMerchant] == 1)
            harness.clock.advance(by: 601)
            #expect(try await refresher.refreshDue(limit: 10).map(\.1.metricLabel) == ["blocked"])
            #expect(harness.sandbox.counters[.faultsBlockedMerchant] == 2)
            #expect(try await harness.connection().status == .blocked)

            // UPS lifts the block: the next attempt makes the company authenticated again.
            harness.sandbox.clearFaults()
            harness.clock.advance(by: 601)
            #expect(try await refresher.refreshDue(limit: 10).map(\.1.metricLabel) == ["succeeded"])
            let recovered = try await harness.connection()
            #expect(recovered.status == .authenticated)
            #expect(recovered.blockedReason == nil && recovered.refreshHealth.consecutiveFailures == 0)
            #expect(recovered.lastRefreshedAt != nil)
            #expect(try await harness.storedTokens()?.refresh != before.refresh, "rotated by the recovering refresh")
            #expect(try await UPSAccessTokens(refresher: refresher).accessToken(for: harness.company.id).token != before.access)

            let actions = try await harness.events().map(\.action)
            #expect(actions.filter { $0 == .blocked }.count == 1)
            #expect(actions.filter { $0 == .recovered }.count == 1)
            let kinds = try await Self.notificationKinds(harness)
            #expect(kinds == [.recovered, .blocked, .optedIn])
            let types = try await Self.webhookTypes(harness, harness.company)
            #expect(types == ["ups_connection.opted_in", "ups_connection.blocked", "ups_connection.recovered"])
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("a 403 storm leaves every company's tokens in place; with the fault off each is authenticated again with one recovered")
    func blockedMerchantStorm() async throws {
        try await EngineHarness.run { harness in
            var companies = [harness.company]
            for index in 1..<12 { companies.append(try await harness.company(named: "Storm \(index)")) }
            for company in companies { try await harness.optInFully(company: company) }
            var before: [CompanyID: (access: Secret, refresh: Secret)] = [:]
            for company in companies {
                let pair = try #require(try await harness.storedTokens(company))
                before[company.id] = pair
            }
            let refresher = harness.refresher(policy: Self.policy)

            try harness.sandbox.setFaults(FaultConfiguration(blockedMerchant: true))
            let storm = try await refresher.refreshDue(limit: 100)
            #expect(storm.count == companies.count)
            #expect(storm.allSatisfy { $0.1.metricLabel == "blocked" }, "\(storm.map(\.1.label))")
            for company in companies {
                #expect(try await harness.connection(company).status == .blocked, "\(company.name)")
                let kept = try #require(try await harness.storedTokens(company), "\(company.name) keeps its tokens")
                #expect(kept.access == before[company.id]?.access && kept.refresh == before[company.id]?.refresh)
            }
            let held = try await harness.database.client.query(
                "SELECT count(*)::bigint AS n FROM ups_connections WHERE refresh_token_sealed IS NOT NULL")
            #expect(try held.first?.decode("n", as: Int.self) == companies.count)

            harness.sandbox.clearFaults()
            harness.clock.advance(by: 601)
            let calm = try await refresher.refreshDue(limit: 100)
            #expect(calm.count == companies.count && calm.allSatisfy { $0.1.metricLabel == "succeeded" }, "\(calm.map(\.1.label))")
            for company in companies {
                #expect(try await harness.connection(company).status == .authenticated)
                let actions = try await harness.events(company).map(\.action)
                #expect(actions.filter { $0 == .recovered }.count == 1, "\(company.name): \(actions)")
                #expect(actions.filter { $0 == .blocked }.count == 1, "\(company.name): \(actions)")
                #expect(try await Self.webhookTypes(harness, company).filter { $0 == "ups_connection.recovered" }.count == 1)
            }
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(harness.sandbox.counters[.refreshesRefused] == 0, "no refresh token was spent by the storm")
        }
    }

    @Test("refresh_failing comes once after N transient failures, recovered once after; a flapping connection is rate-limited")
    func failingAndRecoveredWithoutFlapping() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let refresher = harness.refresher(policy: Self.policy)
            func fail(_ times: Int) async throws {
                try harness.sandbox.setFaults(FaultConfiguration(serverErrorShare: 1, endpoints: [.refresh], seed: 1))
                for _ in 0..<times {
                    #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "transient")
                }
                harness.sandbox.clearFaults()
            }
            func recover() async {
                #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "succeeded")
            }

            try await fail(2)
            #expect(try await Self.notificationKinds(harness) == [.optedIn], "two failures are below the threshold")
            let failing = try await harness.connection()
            #expect(failing.isFailing && failing.refreshHealth.consecutiveFailures == 2)
            #expect(failing.refreshHealth.lastError?.contains("HTTP 503") == true)
            try await fail(3)
            #expect(try await Self.notificationKinds(harness) == [.refreshFailing, .optedIn], "announced once, at the third, not per attempt")
            await recover()
            #expect(try await Self.notificationKinds(harness) == [.recovered, .refreshFailing, .optedIn])
            #expect(try await harness.connection().isFailing == false)

            // It fails and recovers again within the period: audited, but nobody is told twice.
            try await fail(3)
            await recover()
            try await fail(4)
            await recover()
            #expect(try await Self.notificationKinds(harness) == [.recovered, .refreshFailing, .optedIn])
            #expect(try await Self.webhookTypes(harness, harness.company).count == 3)
            let failed: Int = try await harness.events().filter { $0.action == .refreshFailed }.count
            #expect(failed == 11, "every failure is in the activity: 4 around the announced one, then 3 and 4")

            // A period later the next failing run is news again, and so is its recovery.
            harness.clock.advance(by: 3601)
            try await fail(3)
            await recover()
            #expect(try await Self.notificationKinds(harness) == [.recovered, .refreshFailing, .recovered, .refreshFailing, .optedIn])
        }
    }

    @Test("a refresh token that runs out: refresh_token_expiring once, then re-authorization required with IPM's start page")
    func refreshTokenRunsOut() async throws {
        try await EngineHarness.run { harness in
            try harness.sandbox.setLifetimes(Lifetimes(accessTokenSeconds: 10, refreshTokenSeconds: 100, grantSeconds: 40))
            try await harness.optInFully()
            let refresher = harness.refresher(policy: RefreshPolicy(margin: .fixed(5), expiryWarningWindow: 60))
            let end = try #require(try await harness.connection().refreshTokenExpiresAt)

            // The first refresh shows that refreshing does not move the end: warned once.
            #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "succeeded")
            let warned = try await harness.connection()
            #expect(abs(try #require(warned.refreshTokenExpiresAt).timeIntervalSince(end)) < 2, "the grant's end stays")
            #expect(warned.announcements.refreshTokenRenews == false)
            #expect(try await Self.notificationKinds(harness) == [.refreshTokenExpiring, .optedIn])
            #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "succeeded")
            #expect(try await Self.notificationKinds(harness) == [.refreshTokenExpiring, .optedIn], "once, not per refresh")

            // The end passes: the company needs an admin, and every way of telling them links IPM's start page.
            harness.clock.advance(by: 45)
            #expect(await refresher.refresh(harness.company.id, force: true).metricLabel == "expired")
            #expect(try await harness.connection().status == .reauthorizationRequired)
            #expect(try await Self.notificationKinds(harness) == [.reauthorizationRequired, .refreshTokenExpiring, .optedIn])
            let start = OptInLink.url(publicURL: EngineHarness.publicURL, company: harness.company.id).absoluteString
            #expect(start == "https://ipm.example.com/oauth/ups/start?company=\(harness.company.id)")
            let payloads = try await Self.webhookPayloads(harness, harness.company)
            for payload in payloads {
                let type = payload["type"] as? String
                let asks = type == "ups_connection.reauthorization_required" || type == "ups_connection.refresh_token_expiring"
                #expect((payload["opt_in_url"] as? String) == (asks ? start : nil), "\(type ?? "?")")
            }
            #expect(
                payloads.map { $0["type"] as? String } == [
                    "ups_connection.opted_in", "ups_connection.refresh_token_expiring", "ups_connection.reauthorization_required",
                ])
            let notifications = try await PostgresNotificationRepository(client: harness.database.client).notifications(
                for: harness.admin.id, unreadOnly: false, limit: 10)
            #expect(notifications.first?.optInLink(publicURL: EngineHarness.publicURL)?.absoluteString == start)
            #expect(notifications.last?.optInLink(publicURL: EngineHarness.publicURL) == nil, "an opt-in asks nothing")
        }
    }

    @Test("a 403 Blocked Merchant on the code exchange fails the opt-in and changes nothing")
    func blockedMerchantOnOptIn() async throws {
        try await EngineHarness.run { harness in
            try harness.sandbox.setFaults(FaultConfiguration(endpoints: [.token], blockedClients: [EngineHarness.clientID]))
            let session = SessionBinding(Secret("session-\(UUID())"))
            let callback = try await harness.authorize(session: session)
            await #expect {
                _ = try await harness.optIn.complete(callback, session: session)
            } throws: { error in
                guard case .exchangeFailed(let failure)? = error as? OptInFailure else { return false }
                return failure.kind == .blocked && "\(error)".contains("blocked the merchant")
            }
            #expect(try await harness.connection().status == .notConnected)
        }
    }

    // MARK: Reading what the admins were told

    /// The harness admin's notifications, newest first.
    static func notificationKinds(_ harness: EngineHarness) async throws -> [CompanyNotification.Kind] {
        try await PostgresNotificationRepository(client: harness.database.client).notifications(for: harness.admin.id, unreadOnly: false, limit: 100)
            .map(\.kind)
    }

    static func webhookPayloads(_ harness: EngineHarness, _ company: Company) async throws -> [[String: Any]] {
        try await harness.database.client.query(
            """
            SELECT payload FROM webhook_outbox WHERE company_id = \(company.id.rawValue) ORDER BY created_at, event_id
            """
        ).map { row in
            try JSONSerialization.jsonObject(with: Data(try row.decode("payload", as: String.self).utf8)) as? [String: Any] ?? [:]
        }
    }

    static func webhookTypes(_ harness: EngineHarness, _ company: Company) async throws -> [String] {
        try await webhookPayloads(harness, company).compactMap { $0["type"] as? String }
    }
}
