import Foundation
import IPMDomain

// Row ↔ domain mapping. Values stored by the application were validated on the way in;
// a row that no longer validates is a corrupt database.

extension UPSConnection {
    static let columns = """
        u.company_id, u.status, u.authorized_by, u.authorized_at, u.access_token_expires_at,
        u.refresh_token_expires_at, u.reauthorization_message, u.updated_at,
        u.refresh_failures, u.next_refresh_at, u.last_refresh_error, u.refresh_failures_today,
        to_char(u.refresh_failure_day, 'YYYY-MM-DD') AS refresh_failure_day,
        u.last_refreshed_at, u.blocked_reason, u.blocked_at, u.trouble_announced, u.trouble_announced_at,
        u.expiry_warned_at, u.refresh_token_renews
        """

    init(row: PostgresRow) throws {
        let statusText = try row.decode("status", as: String.self)
        guard let status = ConnectionStatus(rawValue: statusText) else {
            throw PostgresError.decodingFailed
        }
        self.init(
            companyID: CompanyID(try row.decode("company_id", as: UUID.self)),
            status: status,
            authorizedBy: try row.decode("authorized_by", as: UUID?.self).map { AdminID($0) },
            authorizedAt: try row.decode("authorized_at", as: Date?.self),
            accessTokenExpiresAt: try row.decode("access_token_expires_at", as: Date?.self),
            refreshTokenExpiresAt: try row.decode("refresh_token_expires_at", as: Date?.self),
            reauthorizationMessage: try row.decode("reauthorization_message", as: String?.self),
            updatedAt: try row.decode("updated_at", as: Date?.self),
            refreshHealth: RefreshHealth(
                consecutiveFailures: try row.decode("refresh_failures", as: Int.self),
                nextAttemptAt: try row.decode("next_refresh_at", as: Date?.self),
                lastError: try row.decode("last_refresh_error", as: String?.self),
                failuresToday: try row.decode("refresh_failures_today", as: Int.self),
                failureDay: try row.decode("refresh_failure_day", as: String?.self)
            ),
            lastRefreshedAt: try row.decode("last_refreshed_at", as: Date?.self),
            blockedReason: try row.decode("blocked_reason", as: String?.self),
            blockedAt: try row.decode("blocked_at", as: Date?.self),
            announcements: HealthAnnouncements(
                trouble: try row.decode("trouble_announced", as: String?.self).flatMap(HealthAnnouncements.Trouble.init(rawValue:)),
                troubleAnnouncedAt: try row.decode("trouble_announced_at", as: Date?.self),
                expiryWarnedAt: try row.decode("expiry_warned_at", as: Date?.self),
                refreshTokenRenews: try row.decode("refresh_token_renews", as: Bool?.self)
            )
        )
    }
}
