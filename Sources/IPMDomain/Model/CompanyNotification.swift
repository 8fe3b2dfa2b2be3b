public import Foundation

/// Something every admin of a company is told about its UPS connection.
public struct CompanyNotification: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case optedIn = "opted_in"
        case optedOut = "opted_out"
        case reauthorizationRequired = "reauthorization_required"
        case refreshFailing = "refresh_failing"
        case recovered
        case blocked
        case refreshTokenExpiring = "refresh_token_expiring"

        /// The audit actions that notify, and as what.
        public init?(_ action: AuditAction) {
            switch action {
            case .optedIn: self = .optedIn
            case .optedOut: self = .optedOut
            case .reauthorizationRequired: self = .reauthorizationRequired
            case .refreshFailing: self = .refreshFailing
            case .recovered: self = .recovered
            case .blocked: self = .blocked
            case .refreshTokenExpiring: self = .refreshTokenExpiring
            case .companyCreated, .membershipGranted, .refreshFailed, .invitationCreated, .invitationRevoked: return nil
            case .refreshForced, .webhookRedelivered: return nil
            }
        }

        /// The webhook event type.
        public var eventType: String { "ups_connection.\(rawValue)" }

        /// Whether the notification asks an admin to opt in again (it then carries the link).
        public var asksToOptIn: Bool { self == .reauthorizationRequired || self == .refreshTokenExpiring }
    }

    /// The audit event's id: one notification per event.
    public let id: AuditEventID
    public let company: Company
    public let kind: Kind
    public let message: String
    public let occurredAt: Date
    /// Whether the admin reading the list has marked it read.
    public let isRead: Bool

    /// IPM's own start page for opting this company in again, under `publicURL`, when the
    /// notification asks for it (re-authorization required, or the authorization expiring).
    public func optInLink(publicURL: URL) -> URL? {
        kind.asksToOptIn ? OptInLink.url(publicURL: publicURL, company: company.id) : nil
    }

    public init(id: AuditEventID, company: Company, kind: Kind, message: String, occurredAt: Date, isRead: Bool) {
        self.id = id
        self.company = company
        self.kind = kind
        self.message = message
        self.occurredAt = occurredAt
        self.isRead = isRead
    }
}

/// Notifications as an admin sees them: those of the companies they belong to.
public protocol NotificationRepository: Sendable {
    /// Newest first.
    func notifications(for admin: AdminID, unreadOnly: Bool, limit: Int) async throws -> [CompanyNotification]
    /// How many are unread, counted up to `limit`.
    func unreadCount(for admin: AdminID, upTo limit: Int) async throws -> Int
    /// Marks every notification the admin can see as read.
    func markAllRead(by admin: AdminID, at now: Date) async throws -> Int
}
