public import Foundation

/// Signing in and out, and recognising a session's token, for every front. Failed sign-ins
/// are throttled per sign-in name and per client address, across every instance (the
/// counts live in storage).
public struct SessionService: Sendable {
    private let admins: any AdminRepository
    private let sessions: any SessionRepository
    private let throttle: any SignInThrottle
    private let clock: any Clock
    private let random: any RandomSource
    private let limits: ThrottleLimits

    /// How many failures a window allows.
    public struct ThrottleLimits: Sendable, Hashable {
        public var window: TimeInterval
        public var perName: Int
        public var perAddress: Int

        public init(window: TimeInterval = 15 * 60, perName: Int = 5, perAddress: Int = 30) {
            self.window = window
            self.perName = perName
            self.perAddress = perAddress
        }
    }

    public init(
        admins: any AdminRepository, sessions: any SessionRepository, throttle: any SignInThrottle,
        clock: any Clock, random: any RandomSource, limits: ThrottleLimits = ThrottleLimits()
    ) {
        self.admins = admins
        self.sessions = sessions
        self.throttle = throttle
        self.clock = clock
        self.random = random
        self.limits = limits
    }

    /// Checks the credentials and opens a session of `kind`. The attempt is counted against
    /// the sign-in name (normalised as the account lookup normalises it, so ` Alice\t` is
    /// `alice`) and the client address before the password is checked, atomically across
    /// instances: a parallel burst cannot pass the limits while the hashes run.
    public func signIn(
        _ name: String, password: Password, clientAddress: String?, kind: AdminSession.Kind, policy: SessionPolicy? = nil
    ) async throws -> IssuedSession {
        let now = clock.now()
        // A name that cannot exist matches no admin: only its address is counted.
        let signInName = try? SignInName(name)
        let nameKey = signInName.map(Self.throttleKey)
        var keys: [ThrottleKey] = []
        if let nameKey { keys.append(ThrottleKey(nameKey, limit: limits.perName)) }
        if let clientAddress { keys.append(ThrottleKey("address:" + clientAddress, limit: limits.perAddress)) }
        let attempt = UUID()
        if let full = try await throttle.admit(attempt: attempt, keys: keys, since: now.addingTimeInterval(-limits.window), at: now) {
            throw SignInFailure.throttled(retryAfter: (full.oldest ?? now).addingTimeInterval(limits.window).timeIntervalSince(now))
        }

        let admin: Admin?
        do {
            admin = try await signInName.asyncMap { try await admins.verifyCredentials($0, password: password) } ?? nil
        } catch is PasswordHashingBusy {
            // Not checked, so not a failure of this name or address.
            try await throttle.forgive(attempt: attempt, clearing: nil)
            throw SignInFailure.busy
        }
        // A wrong password stays counted as the failure it was recorded as. A disabled
        // account reads exactly like a wrong password, and counts like one: the answer must
        // not tell a guesser that the name exists and the password was right.
        guard let admin, !admin.isDisabled else { throw SignInFailure.invalidCredentials }
        try await throttle.forgive(attempt: attempt, clearing: nameKey)

        let policy = policy ?? .standard(for: kind)
        let session = AdminSession(
            adminID: admin.id, kind: kind, createdAt: now, lastSeenAt: now,
            expiresAt: now.addingTimeInterval(policy.absoluteLifetime), idleTimeout: policy.idleTimeout
        )
        let token = Secret(Base64URL.encode(random.bytes(32)))
        try await sessions.create(session, token: token)
        return IssuedSession(session: session, admin: admin, token: token)
    }

    /// The throttle's key for a sign-in name: the same for every spelling that finds the same admin.
    public static func throttleKey(_ name: SignInName) -> String { "name:" + name.normalized }

    /// The live session for a token and its admin, or `nil` (unknown, signed out, expired,
    /// or the admin disabled — which ends every session at once). Marks it used.
    public func resolve(_ token: Secret) async throws -> (session: AdminSession, admin: Admin)? {
        guard let session = try await sessions.find(token: token) else { return nil }
        let now = clock.now()
        guard session.isLive(at: now) else {
            try await sessions.revoke(session.id)
            return nil
        }
        guard let admin = try await admins.find(id: session.adminID), !admin.isDisabled else { return nil }
        // Written at most once a minute: a busy page does not write on every request.
        var touched = session
        if now.timeIntervalSince(session.lastSeenAt) >= 60 {
            try await sessions.touch(session.id, at: now)
            touched.lastSeenAt = now
        }
        return (touched, admin)
    }

    public func signOut(_ token: Secret) async throws {
        if let session = try await sessions.find(token: token) {
            try await sessions.revoke(session.id)
        }
    }
}

/// Sessions, stored by the digest of their token.
public protocol SessionRepository: Sendable {
    func create(_ session: AdminSession, token: Secret) async throws
    /// The session whose token this is, unless revoked.
    func find(token: Secret) async throws -> AdminSession?
    func touch(_ id: SessionID, at now: Date) async throws
    func revoke(_ id: SessionID) async throws
    func revokeAll(of admin: AdminID) async throws
}

/// Sign-in attempts, counted per key ("name:…", "address:…") in a time window, in storage
/// every instance shares.
public protocol SignInThrottle: Sendable {
    /// Counts one attempt against every key, atomically across instances: when a key already
    /// has its `limit` of failures since `since`, nothing is recorded and that key's count is
    /// returned; otherwise the attempt is recorded for every key (as a failure, until
    /// `forgive`) and `nil` is returned.
    func admit(attempt: UUID, keys: [ThrottleKey], since: Date, at now: Date) async throws -> ThrottleCount?
    /// The attempt did not fail: its records go, and with `clearing`, every failure of that key.
    func forgive(attempt: UUID, clearing key: String?) async throws
}

/// One key an attempt counts against, and how many failures its window allows.
public struct ThrottleKey: Sendable, Hashable {
    public let key: String
    public let limit: Int

    public init(_ key: String, limit: Int) {
        self.key = key
        self.limit = limit
    }
}

/// Failures of one key in the window, and when the oldest of them happened.
public struct ThrottleCount: Sendable, Hashable {
    public let count: Int
    public let oldest: Date?

    public init(count: Int, oldest: Date?) {
        self.count = count
        self.oldest = oldest
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
