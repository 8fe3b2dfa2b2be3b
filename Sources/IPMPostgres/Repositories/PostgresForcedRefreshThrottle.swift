public import Foundation
public import IPMDomain

/// One forced refresh per company per interval in `forced_refreshes`: an upsert that only
/// moves the time forward when the last one is old enough, so of concurrent callers on any
/// instance exactly one takes it (the others wait on the row and then see it taken).
public struct PostgresForcedRefreshThrottle: ForcedRefreshThrottle {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func take(_ company: CompanyID, by admin: AdminID, at now: Date, interval: TimeInterval) async throws -> Date? {
        try await client.withTransaction { connection -> Date? in
            let taken = try connection.query(
                """
                INSERT INTO forced_refreshes (company_id, forced_at, forced_by) VALUES (\(company.rawValue), \(now), \(admin.rawValue))
                ON CONFLICT (company_id) DO UPDATE SET forced_at = EXCLUDED.forced_at, forced_by = EXCLUDED.forced_by
                WHERE forced_refreshes.forced_at <= \(now.addingTimeInterval(-interval))
                RETURNING company_id
                """)
            if !taken.isEmpty { return nil }
            let last = try connection.query("SELECT forced_at FROM forced_refreshes WHERE company_id = \(company.rawValue)")
            return (try last.first?.decode("forced_at", as: Date.self) ?? now).addingTimeInterval(interval)
        }
    }
}
