import HummingbirdBcrypt
public import IPMDomain

/// bcrypt through HummingbirdBcrypt, on the threads of a `PasswordHashingPool`, never on the
/// caller's (an event loop or Swift concurrency's cooperative pool). The cost is configurable
/// so test suites stay fast; production uses 12.
///
/// Hashing (an operator's `set-password`, a sign-up) waits for a thread however long the
/// queue; checking a password (a sign-in anyone can attempt) is refused with
/// `PasswordHashingBusy` once `maxWaitingChecks` are queued, so a flood is turned away in
/// microseconds instead of piling up behind the hashes in flight.
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8
    private let pool: PasswordHashingPool
    private let maxWaitingChecks: Int

    public init(cost: UInt8 = 12, pool: PasswordHashingPool = .shared, maxWaitingChecks: Int = 64) {
        self.cost = cost
        self.pool = pool
        self.maxWaitingChecks = maxWaitingChecks
    }

    public func hash(_ password: Password) async throws -> String {
        try await pool.run(maxWaiting: nil) { [cost] in Bcrypt.hash(password.plaintext, cost: cost) }
    }

    public func verify(_ password: Password, against hash: String) async throws -> Bool {
        try await pool.run(maxWaiting: maxWaitingChecks) { Bcrypt.verify(password.plaintext, hash: hash) }
    }
}
