public import Foundation
public import IPMDomain

public struct PostgresNotificationRepository: NotificationRepository {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func notifications(for admin: AdminID, unreadOnly: Bool, limit: Int) async throws -> [CompanyNotification] {
        try await client.query(
            """
            SELECT n.id, n.kind, n.message, n.occurred_at, c.id AS company_id, c.name AS company_name, c.created_at AS company_created_at,
                   r.read_at IS NOT NULL AS is_read
            FROM notifications n
            JOIN memberships m ON m.company_id = n.company_id AND m.admin_id = \(admin.rawValue)
            JOIN companies c ON c.id = n.company_id
            LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.admin_id = \(admin.rawValue)
            WHERE NOT \(unreadOnly) OR r.read_at IS NULL
            ORDER BY n.occurred_at DESC, n.id DESC
            LIMIT \(max(1, min(limit, 500)))
            """
        ).map { row in
            guard let kind = CompanyNotification.Kind(rawValue: try row.decode("kind", as: String.self)) else { throw PostgresError.decodingFailed }
            return CompanyNotification(
                id: AuditEventID(try row.decode("id", as: UUID.self)),
                company: Company(
                    id: CompanyID(try row.decode("company_id", as: UUID.self)),
                    name: try CompanyName(try row.decode("company_name", as: String.self)),
                    createdAt: try row.decode("company_created_at", as: Date.self)
                ),
                kind: kind, message: try row.decode("message", as: String.self), occurredAt: try row.decode("occurred_at", as: Date.self),
                isRead: try row.decode("is_read", as: Bool.self)
            )
        }
    }

    public func unreadCount(for admin: AdminID, upTo limit: Int) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT count(*)::int8 AS unread FROM (
                SELECT 1 FROM notifications n
                JOIN memberships m ON m.company_id = n.company_id AND m.admin_id = \(admin.rawValue)
                LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.admin_id = \(admin.rawValue)
                WHERE r.read_at IS NULL
                LIMIT \(max(1, limit))
            ) unread
            """)
        return Int(try rows.first?.decode("unread", as: Int64.self) ?? 0)
    }

    public func markAllRead(by admin: AdminID, at now: Date) async throws -> Int {
        try await client.execute(
            """
            INSERT INTO notification_reads (admin_id, notification_id, read_at)
            SELECT \(admin.rawValue), n.id, \(now) FROM notifications n
            JOIN memberships m ON m.company_id = n.company_id AND m.admin_id = \(admin.rawValue)
            ON CONFLICT DO NOTHING
            """)
    }
}
