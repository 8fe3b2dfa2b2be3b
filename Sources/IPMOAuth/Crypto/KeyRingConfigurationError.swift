/// Why `IPM_ENCRYPTION_KEYS` (or a key id for a new key) is unusable. One line that names
/// the setting and what is expected; it never contains key material.
public struct KeyRingConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ problem: String) {
        message =
            "IPM_ENCRYPTION_KEYS: \(problem); expected id:base64key[,id:base64key...], ids of 1-32 characters from A-Z a-z 0-9 _ . -, each key 32 bytes in base64"
    }

    public var description: String { message }
}
