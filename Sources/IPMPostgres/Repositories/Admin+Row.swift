import Foundation
import IPMDomain

// Row ↔ domain mapping. Values stored by the application were validated on the way in;
// a row that no longer validates is a corrupt database.

extension Admin {
    /// Never includes `password_hash`.
    static let columns = "a.id, a.sign_in_name, a.display_name, a.email, a.disabled, a.created_at"

    init(row: PostgresRow) throws {
        let email = try row.decode("email", as: String?.self)
        self.init(
            id: AdminID(try row.decode("id", as: UUID.self)),
            signInName: try SignInName(try row.decode("sign_in_name", as: String.self)),
            displayName: try row.decode("display_name", as: String.self),
            email: try email.map { value throws(DomainError) in try EmailAddress(value) },
            isDisabled: try row.decode("disabled", as: Bool.self),
            createdAt: try row.decode("created_at", as: Date.self)
        )
    }
}
