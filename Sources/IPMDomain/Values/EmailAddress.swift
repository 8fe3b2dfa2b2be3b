/// An admin's contact address. Checked for shape only; nobody is mailed from here yet.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(DomainError) {
        let trimmed = raw.trimmingWhitespace()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: \.isWhitespace), !trimmed.containsControlCharacters
        else {
            throw .invalidInput(field: "email", "'\(trimmed)' is not an email address")
        }
        self.value = trimmed
    }

    public var description: String { value }
}
