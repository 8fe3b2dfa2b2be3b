/// What an admin may do in one company.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Sees the company and opts it in and out of UPS OAuth.
    case admin
    /// Sees the company's status and activity, changes nothing.
    case viewer

    public init(parsing raw: String) throws(DomainError) {
        guard let role = Role(rawValue: raw.trimmingWhitespace().lowercased()) else {
            throw .invalidInput(field: "role", "must be admin or viewer, not '\(raw)'")
        }
        self = role
    }

    public var description: String { rawValue }
}

/// An admin's belonging to a company.
public struct Membership: Hashable, Sendable {
    public let adminID: AdminID
    public let companyID: CompanyID
    public var role: Role

    public init(adminID: AdminID, companyID: CompanyID, role: Role) {
        self.adminID = adminID
        self.companyID = companyID
        self.role = role
    }
}

/// A company as one admin sees it: with their role and the UPS connection's state.
public struct CompanyOverview: Hashable, Sendable {
    public let company: Company
    public let role: Role
    public let connection: UPSConnection
    /// An opt-in still waiting for UPS, or one that never came back; only where one company
    /// is looked at (lists leave it out).
    public let optIn: OptInAttempt?

    public init(company: Company, role: Role, connection: UPSConnection, optIn: OptInAttempt? = nil) {
        self.company = company
        self.role = role
        self.connection = connection
        self.optIn = optIn
    }
}
