import Foundation
import IPMDomain

// Row ↔ domain mapping. Values stored by the application were validated on the way in;
// a row that no longer validates is a corrupt database.

extension Company {
    static let columns = "c.id, c.name, c.created_at"

    init(row: PostgresRow) throws {
        self.init(
            id: CompanyID(try row.decode("id", as: UUID.self)),
            name: try CompanyName(try row.decode("name", as: String.self)),
            createdAt: try row.decode("created_at", as: Date.self)
        )
    }
}
