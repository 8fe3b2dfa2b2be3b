/// A password as typed, on its way to being hashed or checked. It never prints itself.
public struct Password: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let plaintext: String

    public static let minimumLength = 10
    /// bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
    public static let maximumBytes = 72

    public init(_ plaintext: String) throws(DomainError) {
        guard plaintext.count >= Self.minimumLength else {
            throw .invalidInput(field: "password", "must be at least \(Self.minimumLength) characters")
        }
        guard plaintext.utf8.count <= Self.maximumBytes else {
            throw .invalidInput(field: "password", "must be at most \(Self.maximumBytes) bytes")
        }
        self.plaintext = plaintext
    }

    /// For checking a sign-in attempt, where any length must be accepted (and fail quietly).
    public init(unchecked plaintext: String) {
        self.plaintext = plaintext
    }

    public var description: String { "Password(redacted)" }
    public var debugDescription: String { description }
}

extension Password: CustomReflectable {
    /// `dump` and reflection-based loggers see no children, so no plaintext.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
