import HummingbirdBcrypt
public import IPMDomain

/// bcrypt through HummingbirdBcrypt. The cost is configurable so test suites stay fast;
/// production uses 12.
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: Password) throws -> String {
        Bcrypt.hash(password.plaintext, cost: cost)
    }

    public func verify(_ password: Password, against hash: String) -> Bool {
        Bcrypt.verify(password.plaintext, hash: hash)
    }
}
