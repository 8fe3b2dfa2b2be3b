public import Foundation

/// The JSON body of a webhook event (`ups_connection.*`), built once when the change is
/// stored and kept in the outbox as the exact text that is signed and sent. The one place
/// that says what a webhook event carries.
public struct WebhookEventPayload: Sendable, Hashable, Encodable {
    public struct CompanyPart: Sendable, Hashable, Encodable {
        public let id: String
        public let name: String
    }

    public struct ConnectionPart: Sendable, Hashable, Encodable {
        public let status: String
        public let reauthorizationMessage: String?
        public let blockedReason: String?
        public let consecutiveFailures: Int
        public let lastError: String?
        public let nextAttemptAt: String?
        public let refreshTokenExpiresAt: String?

        enum CodingKeys: String, CodingKey {
            case status
            case reauthorizationMessage = "reauthorization_message"
            case blockedReason = "blocked_reason"
            case consecutiveFailures = "consecutive_failures"
            case lastError = "last_error"
            case nextAttemptAt = "next_attempt_at"
            case refreshTokenExpiresAt = "refresh_token_expires_at"
        }

        // Absent values are sent as null, never left out: receivers see every field.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(status, forKey: .status)
            try container.encode(reauthorizationMessage, forKey: .reauthorizationMessage)
            try container.encode(blockedReason, forKey: .blockedReason)
            try container.encode(consecutiveFailures, forKey: .consecutiveFailures)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
            try container.encode(refreshTokenExpiresAt, forKey: .refreshTokenExpiresAt)
        }
    }

    public let id: String
    public let type: String
    public let occurredAt: String
    public let company: CompanyPart
    public let connection: ConnectionPart
    /// IPM's start page for opting in again, when the event asks for it and IPM_PUBLIC_URL is known.
    public let optInURL: String?
    public let actor: String
    public let detail: String

    /// The event `event` (of a kind admins hear about) of `company`, whose connection is now `connection`.
    public init(event: AuditEvent, kind: CompanyNotification.Kind, company: Company, connection: UPSConnection, publicURL: URL?) {
        id = event.id.description
        type = kind.eventType
        occurredAt = Self.timestamp(event.occurredAt)
        self.company = CompanyPart(id: company.id.description, name: company.name.value)
        self.connection = ConnectionPart(
            status: connection.status.rawValue, reauthorizationMessage: connection.reauthorizationMessage,
            blockedReason: connection.blockedReason, consecutiveFailures: connection.refreshHealth.consecutiveFailures,
            lastError: connection.refreshHealth.lastError, nextAttemptAt: connection.refreshHealth.nextAttemptAt.map(Self.timestamp),
            refreshTokenExpiresAt: connection.refreshTokenExpiresAt.map(Self.timestamp)
        )
        optInURL = kind.asksToOptIn ? publicURL.map { OptInLink.url(publicURL: $0, company: company.id).absoluteString } : nil
        actor = event.actor.description
        detail = event.detail
    }

    enum CodingKeys: String, CodingKey {
        case id, type
        case occurredAt = "occurred_at"
        case company, connection
        case optInURL = "opt_in_url"
        case actor, detail
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(company, forKey: .company)
        try container.encode(connection, forKey: .connection)
        try container.encode(optInURL, forKey: .optInURL)
        try container.encode(actor, forKey: .actor)
        try container.encode(detail, forKey: .detail)
    }

    /// The body as it is stored, signed and sent.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Strings, numbers and nulls only: encoding cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// UTC, whole microseconds (the precision times are kept in, decision 5):
    /// `2026-05-01T12:00:00.123456Z`.
    static func timestamp(_ date: Date) -> String {
        let microseconds = date.microsecondsSince1970 ?? 0
        let (seconds, fraction) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let (whole, part) = fraction < 0 ? (seconds - 1, fraction + 1_000_000) : (seconds, fraction)
        // `.iso8601` is UTC to the second with a trailing Z: 2026-05-01T12:00:00Z.
        let text = Date(timeIntervalSince1970: TimeInterval(whole)).formatted(.iso8601)
        let digits = String(part)
        return "\(text.dropLast()).\(String(repeating: "0", count: 6 - digits.count))\(digits)Z"
    }
}
