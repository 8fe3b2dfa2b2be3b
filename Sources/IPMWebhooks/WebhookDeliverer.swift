public import AsyncHTTPClient
import Crypto
public import Foundation
public import IPMDomain
public import Logging
import NIOCore
import NIOHTTP1

/// Where webhook events go and how they are signed (`IPM_WEBHOOK_URL`, `IPM_WEBHOOK_SECRET`).
public struct WebhookConfiguration: Sendable {
    public var url: URL
    public var secret: Secret
    public var timeout: Duration

    public init(url: URL, secret: Secret, timeout: Duration = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.timeout = timeout
    }
}

/// Delivers the webhook outbox at least once: each event is POSTed as JSON with
/// `X-IPM-Event-Id` (for de-duplication) and `X-IPM-Signature: t=<unix time>,v1=<hex
/// HMAC-SHA256 of "<t>.<body>" keyed with the secret>`; anything but a 2xx is tried again
/// later, with exponential backoff and jitter, until `giveUpAfter` has passed since the
/// event was created (or redelivered): the last attempt falls on that moment, and if it
/// fails too the delivery is dead. Runs in every `ipm-server`; the outbox's row locks make
/// each event go out from one instance at a time.
public struct WebhookDeliverer: Sendable {
    private let outbox: any WebhookOutbox
    private let configuration: WebhookConfiguration
    private let httpClient: HTTPClient
    private let clock: any IPMDomain.Clock
    private let random: any RandomSource
    private let backoffBase: TimeInterval
    private let backoffCap: TimeInterval
    private let giveUpAfter: TimeInterval
    private let logger: Logger

    public init(
        outbox: any WebhookOutbox, configuration: WebhookConfiguration, httpClient: HTTPClient, clock: any IPMDomain.Clock,
        random: any RandomSource, backoffBase: TimeInterval = 5, backoffCap: TimeInterval = 3600,
        giveUpAfter: TimeInterval = 3 * 24 * 3600, logger: Logger
    ) {
        self.outbox = outbox
        self.configuration = configuration
        self.httpClient = httpClient
        self.clock = clock
        self.random = random
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.giveUpAfter = giveUpAfter
        self.logger = logger
    }

    /// Delivers due events until none is left (at most `limit`); how many were tried.
    @discardableResult
    public func deliverDue(limit: Int = 100) async throws -> Int {
        var tried = 0
        // One moment for the whole pass: a delivery that fails and is due again a jittered
        // instant later waits for the next pass instead of being tried twice in this one.
        let now = clock.now()
        while tried < limit, try await outbox.deliverNext(at: now, deliver) {
            tried += 1
        }
        return tried
    }

    /// Until the task is cancelled.
    public func run(interval: Duration = .seconds(5)) async {
        while !Task.isCancelled {
            do {
                try await deliverDue()
            } catch {
                logger.warning("webhook delivery pass failed; trying again later", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { break }
        }
    }

    /// The signature header value for `body` at `timestamp`.
    public static func signature(secret: Secret, timestamp: Int, body: String) -> String {
        let key = SymmetricKey(data: Array(secret.value.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(body)".utf8), using: key)
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private func deliver(_ event: OutboxEvent) async -> DeliveryResult {
        let timestamp = Int(clock.now().timeIntervalSince1970)
        var request = HTTPClientRequest(url: configuration.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "IPM-Webhooks/\(IPMBuild.version)")
        request.headers.add(name: "X-IPM-Event-Id", value: event.eventID.description)
        request.headers.add(name: "X-IPM-Signature", value: Self.signature(secret: configuration.secret, timestamp: timestamp, body: event.payload))
        request.body = .bytes(ByteBuffer(string: event.payload))
        let status: Int?
        let error: String
        do {
            let response = try await httpClient.execute(request, timeout: .init(configuration.timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            status = Int(response.status.code)
            if (200..<300).contains(response.status.code) {
                logger.info("webhook event delivered", metadata: ["event": "\(event.eventID)", "attempt": "\(event.attempts + 1)"])
                return .delivered(status: Int(response.status.code))
            }
            error = "HTTP \(response.status.code)"
        } catch let failure {
            status = nil
            error = "\(type(of: failure)): \(failure)".prefix(200).description
        }
        let now = clock.now()
        let giveUpAt = event.retryingSince.addingTimeInterval(giveUpAfter)
        if now >= giveUpAt {
            logger.error(
                "webhook delivery failed for longer than the give-up period; it is dead until someone redelivers it",
                metadata: [
                    "event": "\(event.eventID)", "error": "\(error)", "attempts": "\(event.attempts + 1)",
                ])
            return .dead(status: status, error: error)
        }
        var window = backoffBase
        for _ in 0..<min(event.attempts, 40) where window < backoffCap { window *= 2 }
        window = min(window, backoffCap)
        let unit = Double(random.bytes(1)[0]) / 255
        // The last attempt falls on the give-up moment, not after it.
        let retryAt = min(now.addingTimeInterval(window * (0.5 + 0.5 * unit)), giveUpAt)
        logger.warning("webhook delivery failed; will retry", metadata: ["event": "\(event.eventID)", "error": "\(error)", "retry_at": "\(retryAt)"])
        return .failed(status: status, error: error, retryAt: retryAt)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
