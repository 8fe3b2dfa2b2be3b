public import Foundation

/// Who did something: an admin, the system itself (the refresh worker), or an operator at
/// the command line.
public enum AuditActor: Hashable, Sendable, CustomStringConvertible {
    case admin(AdminID, SignInName)
    case system(String)
    case `operator`(String)

    public var description: String {
        switch self {
        case .admin(_, let name): return name.value
        case .system(let name): return "IPM (\(name))"
        case .operator(let name): return "operator \(name)"
        }
    }
}

/// What happened.
public enum AuditAction: String, Sendable, Hashable, CaseIterable, Codable {
    case companyCreated = "company_created"
    case membershipGranted = "membership_granted"
    case optedIn = "opted_in"
    case optedOut = "opted_out"
    case reauthorizationRequired = "reauthorization_required"
    case refreshFailed = "refresh_failed"
    case invitationCreated = "invitation_created"
    case invitationRevoked = "invitation_revoked"
    /// The Nth consecutive transient refresh failure (announced once, see `RefreshPolicy`).
    case refreshFailing = "refresh_failing"
    /// Refreshes work again after failing, or UPS lifted its block.
    case recovered
    /// UPS answered 403 "Blocked Merchant".
    case blocked
    /// The refresh token ends soon and no refresh will renew it.
    case refreshTokenExpiring = "refresh_token_expiring"
    case refreshForced = "refresh_forced"
    case webhookRedelivered = "webhook_redelivered"

    public var title: String {
        switch self {
        case .companyCreated: return "Company created"
        case .membershipGranted: return "Access granted"
        case .optedIn: return "Opted in"
        case .optedOut: return "Opted out"
        case .reauthorizationRequired: return "Re-authorization required"
        case .refreshFailed: return "Token refresh failed"
        case .invitationCreated: return "Invitation created"
        case .invitationRevoked: return "Invitation revoked"
        case .refreshFailing: return "Token refresh failing"
        case .recovered: return "Recovered"
        case .blocked: return "Blocked by UPS"
        case .refreshTokenExpiring: return "UPS authorization expiring"
        case .refreshForced: return "Token refresh forced"
        case .webhookRedelivered: return "Webhook event redelivered"
        }
    }
}

/// One line of a company's activity: actor, time, company, what and why.
public struct AuditEvent: Hashable, Sendable, Identifiable {
    public let id: AuditEventID
    public let companyID: CompanyID
    public let actor: AuditActor
    public let occurredAt: Date
    public let action: AuditAction
    public let detail: String

    public init(id: AuditEventID = AuditEventID(), companyID: CompanyID, actor: AuditActor, occurredAt: Date, action: AuditAction, detail: String) {
        self.id = id
        self.companyID = companyID
        self.actor = actor
        self.occurredAt = occurredAt
        self.action = action
        self.detail = detail
    }
}

/// Where the next page of a company's activity starts (events are listed newest first).
public struct AuditCursor: Hashable, Sendable {
    public let occurredAt: Date
    public let id: AuditEventID

    public init(occurredAt: Date, id: AuditEventID) {
        self.occurredAt = occurredAt
        self.id = id
    }

    public init(after event: AuditEvent) {
        self.init(occurredAt: event.occurredAt, id: event.id)
    }

    /// The times a cursor may name, in microseconds since 1970: from 1970 to the end of the
    /// year 9999. Events are stamped with the server's clock, so every real cursor is inside;
    /// anything else came from outside and is refused, never converted.
    public static let microsecondRange: ClosedRange<Int64> = 0...253_402_300_799_999_999

    /// A cursor at `microseconds` since 1970; nil outside `microsecondRange`.
    public init?(microseconds: Int64, id: AuditEventID) {
        guard Self.microsecondRange.contains(microseconds) else { return nil }
        self.init(occurredAt: Date(microsecondsSince1970: microseconds), id: id)
    }

    /// The cursor's time in microseconds since 1970, held to `microsecondRange` (an event
    /// read from storage is always inside it; a date beyond gives the range's end, not a trap).
    public var microseconds: Int64 {
        let range = Self.microsecondRange
        guard let micros = occurredAt.microsecondsSince1970 else { return occurredAt.timeIntervalSince1970 < 0 ? range.lowerBound : range.upperBound }
        return min(max(micros, range.lowerBound), range.upperBound)
    }

    /// The cursor as the fronts pass it around (`before=` of a page, `next` of the JSON API):
    /// microseconds since 1970, `_`, the event id.
    public var text: String {
        "\(microseconds)_\(id)"
    }

    /// A cursor from its `text`; nil when it is not one (including a time outside `microsecondRange`).
    public init?(text: String) {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = AuditEventID(String(parts[1])) else { return nil }
        self.init(microseconds: micros, id: id)
    }
}
