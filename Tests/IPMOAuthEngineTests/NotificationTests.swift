import AsyncHTTPClient
import Foundation
import Hummingbird
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import IPMWebhooks
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import UPSSandbox

@Suite("Notifications and the webhook")
struct NotificationTests {
    @Test("opt-in, opt-out and re-authorization notify the company's admins and reach the webhook, signed, at least once")
    func stateChangesNotifyAndAreDelivered() async throws {
        try await EngineHarness.run { harness in
            let notifications = PostgresNotificationRepository(client: harness.database.client)
            try await harness.optInFully()
            _ = try harness.sandbox.changePassword(username: EngineHarness.upsUser, to: "Changed-Pass-4")
            _ = await harness.refresher.refresh(harness.company.id, force: true)

            let seen = try await notifications.notifications(for: harness.admin.id, unreadOnly: true, limit: 50)
            #expect(seen.map(\.kind) == [.reauthorizationRequired, .optedIn])
            #expect(seen.first?.message == ReauthorizationReason.refreshRefused.message)
            #expect(seen.first?.company.id == harness.company.id)
            #expect(try await notifications.markAllRead(by: harness.admin.id, at: harness.clock.now()) == 2)
            #expect(try await notifications.notifications(for: harness.admin.id, unreadOnly: true, limit: 50).isEmpty)
            let outsider = try await harness.services.admins.create(
                try NewAdmin(signInName: try SignInName("outsider")), password: try Password("correct horse battery"))
            #expect(try await notifications.notifications(for: outsider.id, unreadOnly: false, limit: 50).isEmpty)

            // The receiver fails twice, then accepts.
            let secret = Secret("whsec-test-\(UUID())")
            try await WebhookReceiver.withRunning(failFirst: 2) { url, receiver in
                let deliverer = WebhookDeliverer(
                    outbox: PostgresWebhookOutbox(client: harness.database.client),
                    configuration: WebhookConfiguration(url: url, secret: secret), httpClient: harness.httpClient,
                    clock: harness.clock, random: SystemRandomSource(), backoffBase: 1, backoffCap: 4,
                    logger: harness.logs.logger(label: "webhooks")
                )
                for _ in 0..<6 {
                    try await deliverer.deliverDue()
                    harness.clock.advance(by: 5)
                }
                let received = receiver.received
                let ids = Set(received.compactMap { $0.headers["x-ipm-event-id"] })
                #expect(ids.count == 2, "both events arrived: \(received.map(\.headers))")
                #expect(received.count >= 4, "two refusals were retried")
                for request in received {
                    let signature = try #require(request.headers["x-ipm-signature"])
                    let timestamp = try #require(signature.split(separator: ",").first.flatMap { Int($0.dropFirst(2)) })
                    #expect(signature == WebhookDeliverer.signature(secret: secret, timestamp: timestamp, body: request.body))
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                    #expect((json["company"] as? [String: Any])?["name"] as? String == "Acme Logistics")
                    #expect(["ups_connection.opted_in", "ups_connection.reauthorization_required"].contains(json["type"] as? String))
                    #expect(json["id"] as? String == request.headers["x-ipm-event-id"])
                }
                let pending = try await harness.database.client.query("SELECT count(*)::bigint AS n FROM webhook_outbox WHERE delivered_at IS NULL")
                #expect(try pending.first?.decode("n", as: Int.self) == 0)
                #expect(try await deliverer.deliverDue() == 0, "nothing is sent twice once delivered")
            }
        }
    }
}

/// A webhook endpoint on a kernel-picked loopback port that records what it receives.
final class WebhookReceiver: Sendable {
    struct Request: Sendable {
        let headers: [String: String]
        let body: String
    }

    private let requests = Mutex<[Request]>([])
    private let failFirst: Int

    private init(failFirst: Int) { self.failFirst = failFirst }

    var received: [Request] { requests.withLock { $0 } }

    static func withRunning(failFirst: Int, _ body: (URL, WebhookReceiver) async throws -> Void) async throws {
        let receiver = WebhookReceiver(failFirst: failFirst)
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let count = receiver.requests.withLock { list in
                list.append(Request(headers: headers, body: String(buffer: buffer)))
                return list.count
            }
            return count <= receiver.failFirst ? .internalServerError : .noContent
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "receiver", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                try await body(URL(string: "http://127.0.0.1:\(port)/hook")!, receiver)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
