/// The `NNNN_name.sql` convention: a positive version of at least four digits, an
/// underscore, a name of lower-case letters, digits and underscores.
public struct MigrationFileName: Sendable, Hashable, CustomStringConvertible {
    public let version: Int
    public let name: String

    public init(version: Int, name: String) {
        self.version = version
        self.name = name
    }

    /// Parses a file name; `nil` when it does not follow the convention.
    public init?(fileName: String) {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = String(stem[stem.index(after: underscore)...])
        guard digits.count >= 4, digits.allSatisfy(\.isASCIIDigit),
            let version = Int(digits), version > 0,
            Self.isValidName(name)
        else { return nil }
        self.init(version: version, name: name)
    }

    public var description: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name + ".sql"
    }

    /// Names are what `swift package new-migration` accepts and what the runner records.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCIILowercaseLetter, name.count <= 100 else { return false }
        return name.allSatisfy { $0.isASCIILowercaseLetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// Turns what a developer typed ("Add API tokens") into a valid name ("add_api_tokens").
    public static func normalizedName(_ raw: String) -> String? {
        var result = ""
        for character in raw.lowercased() {
            if character.isASCIILowercaseLetter || character.isASCIIDigit {
                result.append(character)
            } else if !result.isEmpty, result.last != "_" {
                result.append("_")
            }
        }
        while result.last == "_" { result.removeLast() }
        return isValidName(result) ? result : nil
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILowercaseLetter: Bool { ("a"..."z").contains(self) }
}
