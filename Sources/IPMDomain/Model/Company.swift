public import Foundation

/// A tenant: one customer company whose admins connect it to UPS.
public struct Company: Hashable, Sendable, Identifiable {
    public let id: CompanyID
    public var name: CompanyName
    public let createdAt: Date

    public init(id: CompanyID = CompanyID(), name: CompanyName, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}
