import Foundation

/// A company's name, unique case-insensitively; operators and admins name companies by it.
public struct CompanyName: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public static let maximumLength = 100

    public init(_ raw: String) throws(DomainError) {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw .invalidInput(field: "company name", "must not be empty")
        }
        guard trimmed.count <= Self.maximumLength else {
            throw .invalidInput(field: "company name", "must be at most \(Self.maximumLength) characters")
        }
        guard !trimmed.containsControlCharacters else {
            throw .invalidInput(field: "company name", "must not contain control or invisible characters")
        }
        // Such a name could never be used: a reference that parses as an id is an id.
        guard UUID(uuidString: trimmed) == nil else {
            throw .invalidInput(field: "company name", "must not look like a company id")
        }
        self.value = trimmed
    }

    public var normalized: String { value.lowercased() }
    public var description: String { value }

    public static func == (lhs: CompanyName, rhs: CompanyName) -> Bool { lhs.normalized == rhs.normalized }
    public func hash(into hasher: inout Hasher) { hasher.combine(normalized) }
}

/// How a person names a company on the command line: by its id or by its name.
public enum CompanyReference: Hashable, Sendable, CustomStringConvertible {
    case id(CompanyID)
    case name(CompanyName)

    public init(_ raw: String) throws(DomainError) {
        if let id = CompanyID(raw.trimmingWhitespace()) {
            self = .id(id)
        } else {
            self = .name(try CompanyName(raw))
        }
    }

    public var description: String {
        switch self {
        case .id(let id): return id.description
        case .name(let name): return name.value
        }
    }
}
