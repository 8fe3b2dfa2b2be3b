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
            throw .invalidInput(field: "sign-in name", "may contain only the letters a-z, digits and . _ - @")
        }
        self.value = trimmed
    }

    /// The case-insensitive key: two names equal here are the same admin.
    public var normalized: String { value.lowercased() }

    public var description: String { value }

    public static func == (lhs: SignInName, rhs: SignInName) -> Bool { lhs.normalized == rhs.normalized }
    public func hash(into hasher: inout Hasher) { hasher.combine(normalized) }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII only: look-alike letters from other scripts would make two admins read the same.
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || ".-_@".unicodeScalars.contains(scalar)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// Control, format (bidi overrides, zero-width), line/paragraph separators, private use
    /// and surrogates: characters that hide, reorder or split what a person reads.
    var containsControlCharacters: Bool {
        unicodeScalars.contains { !$0.isPrintableForNames }
    }

    /// The text with every such character shown as `\u{…}`, for error messages that echo input
    /// (also text from other systems, such as UPS's error messages).
    public var printable: String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar.isPrintableForNames {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return out
    }
}

extension Unicode.Scalar {
    var isPrintableForNames: Bool {
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: return false
        default: return true
        }
    }
}
