/// A token or other secret held in memory. It never prints itself, so it cannot leak into a
/// log line or an error message by interpolation.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "Secret(redacted)" }
    public var debugDescription: String { description }
}

extension Secret: CustomReflectable {
    /// `dump` and reflection-based loggers see no children, so no token.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// A secret encrypted at rest. `keyID` names the key of the ring that sealed it, so keys can rotate.
public struct SealedSecret: Sendable, Hashable {
    public let keyID: String
    public let ciphertext: [UInt8]

    public init(keyID: String, ciphertext: [UInt8]) {
        self.keyID = keyID
        self.ciphertext = ciphertext
    }
}
