import Foundation
public import IPMDomain

public struct PostgresAuditEventRepository: AuditEventRepository {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func append(_ event: AuditEvent) async throws {
        try await client.withConnection { connection in try event.insert(on: connection) }
    }

    public func events(for company: CompanyID, limit: Int, before: AuditCursor?) async throws -> [AuditEvent] {
        let rows: [PostgresRow]
        if let before {
            rows = try await client.query(
                """
                SELECT \(unescaped: AuditEvent.columns) FROM audit_events e
                WHERE e.company_id = \(company.rawValue) AND (e.occurred_at, e.id) < (\(before.occurredAt)::timestamptz, \(before.id.rawValue)::uuid)
                ORDER BY e.occurred_at DESC, e.id DESC LIMIT \(limit)
                """)
        } else {
            rows = try await client.query(
                """
                SELECT \(unescaped: AuditEvent.columns) FROM audit_events e
                WHERE e.company_id = \(company.rawValue)
                ORDER BY e.occurred_at DESC, e.id DESC LIMIT \(limit)
                """)
        }
        return try rows.map { try AuditEvent(row: $0) }
    }
}
