/// An admin's notifications (the opt-ins, opt-outs and re-authorizations of their
/// companies), for every front alike.
public struct NotificationService: Sendable {
    private let notifications: any NotificationRepository
    private let clock: any Clock

    public init(notifications: any NotificationRepository, clock: any Clock) {
        self.notifications = notifications
        self.clock = clock
    }

    /// Newest first, at most `limit` (1–500).
    public func list(for admin: Admin, unreadOnly: Bool, limit: Int) async throws -> [CompanyNotification] {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        return try await notifications.notifications(for: admin.id, unreadOnly: unreadOnly, limit: max(1, min(limit, 500)))
    }

    /// How many are unread, counted up to `limit` (a badge needs no more).
    public func unreadCount(for admin: Admin, upTo limit: Int) async throws -> Int {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        return try await notifications.unreadCount(for: admin.id, upTo: max(1, limit))
    }

    /// Marks everything the admin can see as read; how many were unread.
    @discardableResult
    public func markAllRead(by admin: Admin) async throws -> Int {
        guard !admin.isDisabled else { throw DomainError.adminDisabled }
        return try await notifications.markAllRead(by: admin.id, at: clock.now())
    }
}
