import Foundation
import IPMDomain
import Testing

@Suite("Role")
struct RoleTests {
    @Test("parsing ignores case and surrounding whitespace", arguments: [
        ("admin", Role.admin), ("Admin", .admin), (" ADMIN\n", .admin), ("viewer", .viewer), ("  Viewer ", .viewer),
    ])
    func parses(raw: String, role: Role) throws {
        #expect(try Role(parsing: raw) == role)
    }

    @Test("anything else is refused and named in the message", arguments: ["", "owner", "admins", "read", "view", "ad min"])
    func refuses(raw: String) {
        #expect(throws: DomainError.invalidInput(field: "role", "must be admin or viewer, not '\(raw)'")) { try Role(parsing: raw) }
    }

    @Test("stored and printed by its raw value", arguments: Role.allCases)
    func rawValue(role: Role) throws {
        #expect(role.description == role.rawValue)
        #expect(try Role(parsing: role.description) == role)
        let encoded = try JSONEncoder().encode(role)
        #expect(String(decoding: encoded, as: UTF8.self) == "\"\(role.rawValue)\"")
        #expect(try JSONDecoder().decode(Role.self, from: encoded) == role)
    }

    @Test("exactly two roles")
    func allCases() {
        #expect(Role.allCases == [.admin, .viewer])
        #expect(Role.admin.rawValue == "admin")
        #expect(Role.viewer.rawValue == "viewer")
    }
}
