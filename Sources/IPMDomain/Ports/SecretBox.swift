/// Encrypts secrets at rest (tokens, PKCE verifiers). Implementations carry a key ring:
/// the first key seals, every known key opens.
///
/// `context` is authenticated but not stored: it names where the ciphertext lives (e.g.
/// `"ups_connections.refresh_token:<company id>"`), so a ciphertext copied into another
/// row or column does not open.
public protocol SecretBox: Sendable {
    func seal(_ plaintext: Secret, context: String) throws(SecretBoxError) -> SealedSecret
    func open(_ sealed: SealedSecret, context: String) throws(SecretBoxError) -> Secret
    /// The id of the key that seals now; secrets sealed under another key need re-sealing.
    var currentKeyID: String { get }
}

/// Why a secret could not be sealed or opened. Never carries the secret.
public struct SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The ciphertext names a key id the ring does not hold.
        case unknownKey(String)
        /// Authentication failed: the ciphertext was altered, or belongs to another context.
        case tampered
        /// The stored value is not a ciphertext of this format.
        case malformed
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .unknownKey(let id):
            "a stored secret was sealed with key \"\(id.printable)\", which is not in IPM_ENCRYPTION_KEYS"
        case .tampered:
            "a stored secret failed authentication (altered, or moved from another record)"
        case .malformed:
            "a stored secret is not in the expected sealed format"
        }
    }
}

/// Turns passwords into hashes and checks them. Only repositories call it. Both are slow on
/// purpose (bcrypt), so implementations run them off the caller's thread; a check may be
/// refused with `PasswordHashingBusy` when too many are already waiting.
public protocol PasswordHasher: Sendable {
    func hash(_ password: Password) async throws -> String
    func verify(_ password: Password, against hash: String) async throws -> Bool
}

/// Too many password checks are waiting already: the sign-in is refused at once (503) rather
/// than queued behind a flood. Nothing was checked or recorded.
public struct PasswordHashingBusy: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "too many sign-ins are being checked right now" }
}
