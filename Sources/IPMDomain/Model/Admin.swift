public import Foundation

/// A person who signs in to IPM. The password hash is deliberately not here: it never
/// leaves the repository layer.
public struct Admin: Hashable, Sendable, Identifiable {
    public let id: AdminID
    public var signInName: SignInName
    public var displayName: String
    public var email: EmailAddress?
    public var isDisabled: Bool
    public let createdAt: Date

    public init(
        id: AdminID = AdminID(), signInName: SignInName, displayName: String,
        email: EmailAddress?, isDisabled: Bool = false, createdAt: Date
    ) {
        self.id = id
        self.signInName = signInName
        self.displayName = displayName
        self.email = email
        self.isDisabled = isDisabled
        self.createdAt = createdAt
    }

    /// A display name defaults to the sign-in name; it is free text but bounded and printable.
    public static func validatedDisplayName(_ raw: String?, default signInName: SignInName) throws(DomainError) -> String {
        let trimmed = (raw ?? "").trimmingWhitespace()
        if trimmed.isEmpty { return signInName.value }
        guard trimmed.count <= 100 else { throw .invalidInput(field: "display name", "must be at most 100 characters") }
        guard !trimmed.containsControlCharacters else {
            throw .invalidInput(field: "display name", "must not contain control or invisible characters")
        }
        return trimmed
    }
}

/// What an operator supplies to create an admin.
public struct NewAdmin: Sendable {
    public let signInName: SignInName
    public let displayName: String
    public let email: EmailAddress?

    public init(signInName: SignInName, displayName: String? = nil, email: EmailAddress? = nil) throws(DomainError) {
        self.signInName = signInName
        self.displayName = try Admin.validatedDisplayName(displayName, default: signInName)
        self.email = email
    }
}
