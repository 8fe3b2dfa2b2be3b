/// The name an admin signs in with. Kept as typed for display; compared and stored
/// uniquely case-insensitively through `normalized`.
public struct SignInName: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public static let maximumLength = 64

    public init(_ raw: String) throws(DomainError) {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw .invalidInput(field: "sign-in name", "must not be empty")
        }
        guard trimmed.count <= Self.maximumLength else {
            throw .invalidInput(field: "sign-in name", "must be at most \(Self.maximumLength) characters")
        }
        guard trimmed.unicodeScalars.allSatisfy(Self.isAllowed) else {
            throw .invalidInput(field: "sign-in name", "may contain only letters, digits and . _ - @")
        }
        self.value = trimmed
    }

    /// The case-insensitive key: two names equal here are the same admin.
    public var normalized: String { value.lowercased() }

    public var description: String { value }

    public static func == (lhs: SignInName, rhs: SignInName) -> Bool { lhs.normalized == rhs.normalized }
    public func hash(into hasher: inout Hasher) { hasher.combine(normalized) }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_@".unicodeScalars.contains(scalar)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    var containsControlCharacters: Bool {
        unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
