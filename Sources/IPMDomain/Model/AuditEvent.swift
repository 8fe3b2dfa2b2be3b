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

    /// The cursor as the fronts pass it around (`before=` of a page, `next` of the JSON API):
    /// microseconds since 1970, `_`, the event id.
    public var text: String {
        "\(Int64((occurredAt.timeIntervalSince1970 * 1_000_000).rounded()))_\(id)"
    }

    /// A cursor from its `text`; nil when it is not one.
    public init?(text: String) {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = AuditEventID(String(parts[1])) else { return nil }
        self.init(occurredAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }
}
