public import Foundation

/// Identifies one signed-in session.
public typealias SessionID = Identifier<AdminSession>

/// An admin signed in somewhere: a browser (web) or a terminal (CLI, TUI). The client holds
/// only a random token; storage keeps its digest. A session ends at its absolute expiry,
/// after `idleTimeout` without use, when signed out, or at once when the admin is disabled.
public struct AdminSession: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case web
        case cli
    }

    public let id: SessionID
    public let adminID: AdminID
    public let kind: Kind
    public let createdAt: Date
    public var lastSeenAt: Date
    public let expiresAt: Date
    public let idleTimeout: TimeInterval

    public init(
        id: SessionID = SessionID(), adminID: AdminID, kind: Kind, createdAt: Date, lastSeenAt: Date, expiresAt: Date, idleTimeout: TimeInterval
    ) {
        self.id = id
        self.adminID = adminID
        self.kind = kind
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.idleTimeout = idleTimeout
    }

    public func isLive(at now: Date) -> Bool {
        now < expiresAt && now < lastSeenAt.addingTimeInterval(idleTimeout)
    }

    /// The binding an opt-in started in this session carries.
    public var optInBinding: SessionBinding { SessionBinding(Secret("session:\(id)")) }
}

/// How long sessions live, per kind.
public struct SessionPolicy: Sendable, Hashable {
    public var idleTimeout: TimeInterval
    public var absoluteLifetime: TimeInterval

    public init(idleTimeout: TimeInterval, absoluteLifetime: TimeInterval) {
        self.idleTimeout = idleTimeout
        self.absoluteLifetime = absoluteLifetime
    }

    /// A browser: 30 minutes idle, 12 hours at most.
    public static let web = SessionPolicy(idleTimeout: 30 * 60, absoluteLifetime: 12 * 3600)
    /// A terminal login: 14 days idle, 90 days at most.
    public static let cli = SessionPolicy(idleTimeout: 14 * 86_400, absoluteLifetime: 90 * 86_400)

    public static func standard(for kind: AdminSession.Kind) -> SessionPolicy {
        switch kind {
        case .web: .web
        case .cli: .cli
        }
    }
}

/// A new session and the token its client keeps (shown once, stored only as a digest).
public struct IssuedSession: Sendable {
    public let session: AdminSession
    public let admin: Admin
    public let token: Secret
}

/// Why a sign-in did not work. Never says whether the name exists, nor whether a disabled
/// account's password was right: both are `invalidCredentials`.
public enum SignInFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidCredentials
    /// Too many failures for this name or from this address; try again after `retryAfter` seconds.
    case throttled(retryAfter: TimeInterval)
    /// Too many sign-ins are being checked at this moment (`PasswordHashingBusy`); try again shortly.
    case busy

    public var description: String {
        switch self {
        case .invalidCredentials: "The sign-in name or password is not correct."
        case .throttled(let seconds):
            "Too many failed sign-ins. Try again in \(max(1, Int((seconds / 60).rounded(.up)))) minute\(seconds > 60 ? "s" : "")."
        case .busy: "IPM is checking many sign-ins right now. Try again in a moment."
        }
    }
}
