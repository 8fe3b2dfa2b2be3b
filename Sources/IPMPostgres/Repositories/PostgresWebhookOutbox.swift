public import Foundation
public import IPMDomain

/// The webhook outbox in PostgreSQL: `FOR UPDATE SKIP LOCKED`, so each event is delivered
/// by one instance at a time, and the result is stored with the lock still held. The same
/// table is the delivery log people read (`ipm webhooks list`, the JSON API).
public struct PostgresWebhookOutbox: WebhookOutbox, WebhookDeliveryLog {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func deliverNext(at now: Date, _ deliver: (OutboxEvent) async -> DeliveryResult) async throws -> Bool {
        try await client.withLongTransaction { transaction in
            let rows = try await transaction.query(
                """
                SELECT event_id, payload, attempts, COALESCE(retrying_since, created_at) AS retrying_since FROM webhook_outbox
                WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= \(now)
                ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED
                """)
            guard let row = rows.first else { return false }
            let event = OutboxEvent(
                eventID: AuditEventID(try row.decode("event_id", as: UUID.self)),
                payload: try row.decode("payload", as: String.self), attempts: try row.decode("attempts", as: Int.self),
                retryingSince: try row.decode("retrying_since", as: Date.self)
            )
            // Times are the start of the delivery pass (`now`), by the application's clock like every other time.
            switch await deliver(event) {
            case .delivered(let status):
                try await transaction.execute(
                    """
                    UPDATE webhook_outbox SET delivered_at = \(now), attempts = attempts + 1, last_attempt_at = \(now),
                        last_status = \(status), last_error = NULL
                    WHERE event_id = \(event.eventID.rawValue)
                    """)
            case .failed(let status, let error, let retryAt):
                try await transaction.execute(
                    """
                    UPDATE webhook_outbox SET attempts = attempts + 1, last_attempt_at = \(now), last_status = \(status)::integer,
                        last_error = \(error), next_attempt_at = \(retryAt)
                    WHERE event_id = \(event.eventID.rawValue)
                    """)
            case .dead(let status, let error):
                try await transaction.execute(
                    """
                    UPDATE webhook_outbox SET attempts = attempts + 1, last_attempt_at = \(now), last_status = \(status)::integer,
                        last_error = \(error), dead_at = \(now)
                    WHERE event_id = \(event.eventID.rawValue)
                    """)
            }
            return true
        }
    }

    // MARK: The delivery log

    private static let columns = """
        w.event_id, COALESCE(w.payload::json->>'type', 'unknown') AS event_type, w.created_at, w.attempts, w.last_attempt_at,
        w.last_status, w.last_error, w.next_attempt_at, w.delivered_at, w.dead_at,
        c.id AS company_id, c.name AS company_name, c.created_at AS company_created_at
        """

    public func deliveries(of company: CompanyID?, failedOnly: Bool, limit: Int) async throws -> [WebhookDelivery] {
        try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM webhook_outbox w JOIN companies c ON c.id = w.company_id
            WHERE (\(company?.rawValue)::uuid IS NULL OR w.company_id = \(company?.rawValue)::uuid)
              AND (NOT \(failedOnly) OR w.dead_at IS NOT NULL OR (w.delivered_at IS NULL AND w.last_error IS NOT NULL))
            ORDER BY w.created_at DESC, w.event_id DESC
            LIMIT \(max(1, limit))
            """
        ).map(Self.delivery)
    }

    public func redeliver(
        _ id: AuditEventID, in company: CompanyID?, at now: Date, recording record: @escaping @Sendable (WebhookDelivery) -> AuditEvent
    ) async throws -> WebhookDelivery? {
        try await client.withTransaction { connection -> WebhookDelivery? in
            let select: SQL = """
                SELECT \(unescaped: Self.columns)
                FROM webhook_outbox w JOIN companies c ON c.id = w.company_id
                WHERE w.event_id = \(id.rawValue) AND (\(company?.rawValue)::uuid IS NULL OR w.company_id = \(company?.rawValue)::uuid)
                FOR UPDATE OF w
                """
            guard let row = try connection.query(select).first else { return nil }
            let before = try Self.delivery(row)
            try connection.execute(
                """
                UPDATE webhook_outbox SET delivered_at = NULL, dead_at = NULL, next_attempt_at = \(now), retrying_since = \(now)
                WHERE event_id = \(id.rawValue)
                """)
            try record(before).insert(on: connection)
            return try connection.query(select).first.map(Self.delivery)
        }
    }

    public func countByState() async throws -> [WebhookDelivery.State: Int] {
        let rows = try await client.query(
            """
            SELECT (SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL AND dead_at IS NULL)::int8 AS pending,
                   (SELECT count(*) FROM webhook_outbox WHERE dead_at IS NOT NULL)::int8 AS dead
            """)
        guard let row = rows.first else { return [:] }
        return [.pending: try row.decode("pending", as: Int.self), .dead: try row.decode("dead", as: Int.self)]
    }

    private static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        let deliveredAt = try row.decode("delivered_at", as: Date?.self)
        let deadAt = try row.decode("dead_at", as: Date?.self)
        let state: WebhookDelivery.State = deliveredAt != nil ? .delivered : deadAt != nil ? .dead : .pending
        return WebhookDelivery(
            id: AuditEventID(try row.decode("event_id", as: UUID.self)),
            company: Company(
                id: CompanyID(try row.decode("company_id", as: UUID.self)), name: try CompanyName(try row.decode("company_name", as: String.self)),
                createdAt: try row.decode("company_created_at", as: Date.self)
            ),
            eventType: try row.decode("event_type", as: String.self), createdAt: try row.decode("created_at", as: Date.self), state: state,
            attempts: try row.decode("attempts", as: Int.self), lastAttemptAt: try row.decode("last_attempt_at", as: Date?.self),
            lastStatus: try row.decode("last_status", as: Int?.self), lastError: try row.decode("last_error", as: String?.self),
            nextAttemptAt: state == .pending ? try row.decode("next_attempt_at", as: Date.self) : nil,
            deliveredAt: deliveredAt, deadAt: deadAt
        )
    }
}
