public import Foundation

/// A company's UPS token pair as stored: both sealed under one key of the ring.
public struct SealedTokenPair: Sendable, Hashable {
    public let accessToken: SealedSecret
    public let refreshToken: SealedSecret
    public let scope: String?

    public init(accessToken: SealedSecret, refreshToken: SealedSecret, scope: String?) {
        precondition(accessToken.keyID == refreshToken.keyID, "both tokens of a pair are sealed under one key")
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.scope = scope
    }

    /// Where each token lives, authenticated with its ciphertext so it opens nowhere else.
    public static func accessTokenContext(_ company: CompanyID) -> String { "ups_connections.access_token:\(company)" }
    public static func refreshTokenContext(_ company: CompanyID) -> String { "ups_connections.refresh_token:\(company)" }
}

/// A company's connection as read under its row lock: the state, the sealed tokens (while
/// authenticated) and the generation of the pair.
public struct LockedConnection: Sendable {
    public let connection: UPSConnection
    public let tokens: SealedTokenPair?
    /// How many pairs the company has held; a rotated pair replaces exactly this one.
    public let generation: Int64

    public init(connection: UPSConnection, tokens: SealedTokenPair?, generation: Int64) {
        self.connection = connection
        self.tokens = tokens
        self.generation = generation
    }
}

/// What to store for a locked connection: the state change, and the new token pair when
/// there is one. Tokens are destroyed whenever the new status holds none.
public struct ConnectionUpdate: Sendable {
    public let transition: ConnectionTransition
    public let newTokens: SealedTokenPair?
    /// When the tokens were rotated by a refresh (for the record), else `nil`.
    public let refreshedAt: Date?

    public init(_ transition: ConnectionTransition, newTokens: SealedTokenPair? = nil, refreshedAt: Date? = nil) {
        self.transition = transition
        self.newTokens = newTokens
        self.refreshedAt = refreshedAt
    }
}

/// How to treat a connection whose row another instance holds locked.
public enum LockWaitPolicy: Sendable {
    /// Wait for the other holder to finish (the lock serialises).
    case wait
    /// Leave it: the other holder is doing the work (`FOR UPDATE SKIP LOCKED`).
    case skipIfLocked
}
