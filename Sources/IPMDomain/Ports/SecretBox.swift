/// Encrypts secrets at rest (tokens, PKCE verifiers). Implementations carry a key ring:
/// the newest key seals, every known key opens.
public protocol SecretBox: Sendable {
    func seal(_ plaintext: Secret) throws -> SealedSecret
    func open(_ sealed: SealedSecret) throws -> Secret
    /// The id of the key that seals now; secrets sealed under another key need re-sealing.
    var currentKeyID: String { get }
}

/// Turns passwords into hashes and checks them. Only repositories call it.
public protocol PasswordHasher: Sendable {
    func hash(_ password: Password) throws -> String
    func verify(_ password: Password, against hash: String) -> Bool
}
