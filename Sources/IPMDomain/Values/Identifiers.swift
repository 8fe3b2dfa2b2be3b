public import Foundation

/// A UUID that names one kind of thing; the phantom `Subject` keeps a company's id from
/// being passed where an admin's is expected.
public struct Identifier<Subject>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID

    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }

    /// Parses the canonical text form, any case; `nil` for anything else.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.rawValue = uuid
    }

    /// Lower-case, as PostgreSQL prints UUIDs.
    public var description: String { rawValue.uuidString.lowercased() }
}

/// Identifies a company (tenant). Every tenant-scoped row carries one.
public typealias CompanyID = Identifier<Company>
/// Identifies an admin (a person who signs in to IPM).
public typealias AdminID = Identifier<Admin>
/// Identifies one audit event.
public typealias AuditEventID = Identifier<AuditEvent>
