import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMPostgres
import IPMTestSupport
import IPMWebhooks
import NIOCore
import Testing

/// The webhook delivery log on a real PostgreSQL, with a real receiver on loopback that
/// fails and then succeeds: what each attempt left, giving up, redelivery, and the JSON API.
@Suite("Webhook delivery log")
struct WebhookDeliveryLogTests {
    /// The harness's clock is the system's plus an offset: backoffs must be long enough that
    /// a loaded machine does not reach the next attempt between two lines of a test.
    static func deliverer(
        _ harness: EngineHarness, url: URL, giveUpAfter: TimeInterval = 3 * 86_400, backoffBase: TimeInterval = 1, backoffCap: TimeInterval = 4
    ) -> WebhookDeliverer {
        WebhookDeliverer(
            outbox: PostgresWebhookOutbox(client: harness.database.client),
            configuration: WebhookConfiguration(url: url, secret: Secret("whsec-log-test-\(UUID())"), timeout: .seconds(5)),
            httpClient: harness.httpClient,
            clock: harness.clock, random: SystemRandomSource(), backoffBase: backoffBase, backoffCap: backoffCap, giveUpAfter: giveUpAfter,
            logger: harness.logs.logger(label: "webhooks")
        )
    }

    static func only(_ log: PostgresWebhookOutbox, failed: Bool = false) async throws -> WebhookDelivery {
        let deliveries = try await log.deliveries(of: nil, failedOnly: failed, limit: 50)
        #expect(deliveries.count == 1, "\(deliveries)")
        return try #require(deliveries.first)
    }

    @Test("each attempt is logged: the receiver's status or the error, the next attempt; then delivered")
    func attemptsAreLogged() async throws {
        try await EngineHarness.run { harness in
            let log = PostgresWebhookOutbox(client: harness.database.client)
            try await harness.optInFully()
            let fresh = try await Self.only(log)
            #expect(fresh.state == .pending && fresh.attempts == 0 && fresh.lastStatus == nil && fresh.lastError == nil && !fresh.hasFailed)
            #expect(fresh.eventType == "ups_connection.opted_in")
            #expect(fresh.company.id == harness.company.id)
            #expect(try await log.deliveries(of: nil, failedOnly: true, limit: 50).isEmpty)

            // Nothing listens: no status, the error says why.
            #expect(try await Self.deliverer(harness, url: URL(string: "http://127.0.0.1:1/hook")!).deliverDue() == 1)
            let unreachable = try await Self.only(log, failed: true)
            #expect(unreachable.attempts == 1 && unreachable.lastStatus == nil && unreachable.state == .pending)
            #expect(unreachable.lastError?.isEmpty == false)
            #expect(unreachable.lastAttemptAt.map { $0 <= harness.clock.now() } == true)

            try await WebhookReceiver.withRunning(failFirst: 1) { url, receiver in
                let deliverer = Self.deliverer(harness, url: url, backoffBase: 60, backoffCap: 120)
                harness.clock.advance(by: 10)
                #expect(try await deliverer.deliverDue() == 1)
                let refused = try await Self.only(log, failed: true)
                #expect(refused.attempts == 2 && refused.lastStatus == 500 && refused.lastError == "HTTP 500")
                let next = try #require(refused.nextAttemptAt)
                #expect(next > harness.clock.now())
                #expect(try await deliverer.deliverDue() == 0, "not due before its next attempt")

                harness.clock.advance(by: 121)
                #expect(try await deliverer.deliverDue() == 1)
                let delivered = try await Self.only(log)
                #expect(delivered.state == .delivered && delivered.attempts == 3 && delivered.lastStatus == 204 && delivered.lastError == nil)
                #expect(delivered.nextAttemptAt == nil && delivered.deliveredAt != nil && !delivered.hasFailed)
                #expect(try await log.deliveries(of: nil, failedOnly: true, limit: 50).isEmpty)
                #expect(receiver.received.count == 2)
            }
            #expect(try await log.countByState() == [.pending: 0, .dead: 0])
        }
    }

    @Test("a delivery still failing after the give-up period is dead and left alone; redelivery sends it again and is recorded")
    func giveUpAndRedeliver() async throws {
        try await EngineHarness.run { harness in
            let log = PostgresWebhookOutbox(client: harness.database.client)
            try await harness.optInFully()
            try await WebhookReceiver.withRunning(failFirst: 3) { url, receiver in
                let deliverer = Self.deliverer(harness, url: url, giveUpAfter: 20)
                #expect(try await deliverer.deliverDue() == 1)
                harness.clock.advance(by: 10)
                #expect(try await deliverer.deliverDue() == 1)
                let failing = try await Self.only(log, failed: true)
                #expect(failing.state == .pending && failing.attempts == 2)
                #expect(try await log.countByState() == [.pending: 1, .dead: 0])

                // Past the give-up moment: one last attempt, and it is dead.
                harness.clock.advance(by: 15)
                #expect(try await deliverer.deliverDue() == 1)
                let dead = try await Self.only(log, failed: true)
                #expect(dead.state == .dead && dead.attempts == 3 && dead.lastStatus == 500 && dead.deadAt != nil && dead.nextAttemptAt == nil)
                #expect(try await log.countByState() == [.pending: 0, .dead: 1])
                harness.clock.advance(by: 3600)
                #expect(try await deliverer.deliverDue() == 0, "a dead delivery is not retried")
                #expect(receiver.received.count == 3)
                #expect(harness.logs.all.contains { $0.contains("webhook delivery failed for longer than the give-up period") })

                let deliveries = WebhookDeliveries(
                    log: log,
                    access: CompanyAccess(
                        companies: harness.services.companies, memberships: harness.services.memberships, connections: harness.connections,
                        audit: harness.audit, clock: harness.clock),
                    clock: harness.clock
                )
                await #expect(throws: DomainError.self) { try await deliveries.redeliver(AuditEventID(), byOperator: "olivia") }
                let revived = try await deliveries.redeliver(dead.id, byOperator: "olivia")
                #expect(revived.state == .pending && revived.deadAt == nil)
                #expect(revived.nextAttemptAt.map { $0 <= harness.clock.now() } == true, "due at once")
                let recorded = try #require(try await harness.events().first)
                #expect(recorded.action == .webhookRedelivered)
                #expect(recorded.actor == .operator("olivia"))
                #expect(recorded.detail == "Webhook event ups_connection.opted_in (\(dead.id)) will be sent again; it was dead after 3 attempts.")

                #expect(try await deliverer.deliverDue() == 1)
                let delivered = try await Self.only(log)
                #expect(delivered.state == .delivered && delivered.attempts == 4)
                #expect(receiver.received.count == 4)
                #expect(Set(receiver.received.compactMap { $0.headers["x-ipm-event-id"] }) == [dead.id.description])
            }
        }
    }

    @Test("a company's members see its deliveries in the API; only its admins redeliver, and only the company's own")
    func companyAPI() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            let log = PostgresWebhookOutbox(client: engine.database.client)
            try await engine.optInFully()
            // Another company alice also administers, with a delivery of its own.
            let other = try await engine.services.companies.create(try CompanyName("Other Co"), by: .operator("test"))
            _ = try await engine.services.memberships.grant(.admin, to: engine.admin.id, in: other.id, by: .operator("test"))
            try await engine.optInFully(company: other)
            let othersDelivery = try #require(try await log.deliveries(of: other.id, failedOnly: false, limit: 10).first)
            // The first attempt of the oldest (Acme's) fails at the receiver.
            let retryAt = engine.clock.now().addingTimeInterval(60)
            let attempted = try await log.deliverNext(at: engine.clock.now()) { _ in .failed(status: 503, error: "HTTP 503", retryAt: retryAt) }
            #expect(attempted)
            let acmes = try await log.deliveries(of: engine.company.id, failedOnly: false, limit: 10)
            #expect(acmes.count == 1)
            let acme = try #require(acmes.first)

            let victor = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("victor")), password: try Password("correct horse battery"))
            _ = try await engine.services.memberships.grant(.viewer, to: victor.id, in: engine.company.id, by: .operator("test"))
            _ = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("olga")), password: try Password("correct horse battery"))
            let alice = try await ForcedRefreshRouteTests.bearer(harness, "alice")
            let viewer = try await ForcedRefreshRouteTests.bearer(harness, "victor")
            let outsider = try await ForcedRefreshRouteTests.bearer(harness, "olga")
            let list = "/api/v1/companies/\(harness.companyID)/webhooks"
            try await harness.test { client in
                for headers in [alice, viewer] {
                    let response = try await client.execute(uri: list, method: .get, headers: headers, body: nil)
                    #expect(response.status == .ok)
                    let deliveries = try #require(try ForcedRefreshRouteTests.json(response)["deliveries"] as? [[String: Any]])
                    #expect(deliveries.count == 1, "only the company's own")
                    let line = try #require(deliveries.first)
                    #expect(line["id"] as? String == acme.id.description)
                    #expect(line["event"] as? String == "ups_connection.opted_in")
                    #expect(line["state"] as? String == "pending")
                    #expect(line["attempts"] as? Int == 1 && line["lastStatus"] as? Int == 503 && line["lastError"] as? String == "HTTP 503")
                    #expect(line["nextAttemptAt"] is String && line["payload"] == nil)
                }
                let failed = try await client.execute(uri: list + "?failed=true", method: .get, headers: alice, body: nil)
                #expect((try ForcedRefreshRouteTests.json(failed)["deliveries"] as? [Any])?.count == 1)
                for bad in ["?limit=0", "?failed=maybe"] {
                    #expect(try await client.execute(uri: list + bad, method: .get, headers: alice, body: nil).status == .badRequest)
                }
                #expect(try await client.execute(uri: list, method: .get, headers: outsider, body: nil).status == .notFound)

                let redeliver = "\(list)/\(acme.id)/redeliver"
                let refused = try await client.execute(uri: redeliver, method: .post, headers: viewer, body: nil)
                #expect(refused.status == .forbidden)
                #expect(String(buffer: refused.body).contains("Your role does not allow you to redeliver the company's webhook events."))
                #expect(try await client.execute(uri: redeliver, method: .post, headers: outsider, body: nil).status == .notFound)
                for foreign in ["\(list)/\(othersDelivery.id)/redeliver", "\(list)/\(AuditEventID())/redeliver", "\(list)/nonsense/redeliver"] {
                    let missing = try await client.execute(uri: foreign, method: .post, headers: alice, body: nil)
                    #expect(missing.status == .notFound)
                    #expect(String(buffer: missing.body).contains("The company has no such webhook delivery."))
                }
                #expect(try await log.deliveries(of: other.id, failedOnly: false, limit: 10).first?.nextAttemptAt == othersDelivery.nextAttemptAt)

                let done = try await client.execute(uri: redeliver, method: .post, headers: alice, body: nil)
                #expect(done.status == .ok)
                let line = try ForcedRefreshRouteTests.json(done)
                #expect(line["state"] as? String == "pending")
                #expect(line["nextAttemptAt"] is String)
            }
            let revived = try #require(try await log.deliveries(of: engine.company.id, failedOnly: false, limit: 10).first)
            #expect(revived.nextAttemptAt.map { $0 <= engine.clock.now() } == true, "due at once, no longer in a minute")
            let recorded = try #require(try await engine.events().first)
            #expect(recorded.action == .webhookRedelivered)
            #expect(recorded.actor == .admin(engine.admin.id, engine.admin.signInName))
        }
    }
}
