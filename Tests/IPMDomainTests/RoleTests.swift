import Foundation
import IPMDomain
import Testing

@Suite("Role")
struct RoleTests {
    @Test(
        "parsing ignores case and surrounding whitespace",
        arguments: [
            ("admin", Role.admin), ("Admin", .admin), (" ADMIN\n", .admin), ("viewer", .viewer), ("  Viewer ", .viewer),
        ])
    func parses(raw: String, role: Role) throws {
        #expect(try Role(parsing: raw) == role)
    }

    @Test("anything else is refused and named in the message", arguments: ["", "owner", "admins", "read", "view", "ad min"])
    func refuses(raw: String) {
        #expect(throws: DomainError.invalidInput(field: "role", "must be admin or viewer, not '\(raw)'")) { try Role(parsing: raw) }
    }

    @Test(
        "a refusal spells out control and invisible characters instead of echoing them",
        arguments: [
            ("\u{1b}[31mboss", "\\u{1b}[31mboss"), ("boss\n", "boss\\u{a}'"), ("bo\u{202E}ss", "bo\\u{202e}ss"), ("a\u{2028}b", "a\\u{2028}b"),
            ("x\u{7}", "x\\u{7}"),
        ])
    func refusalIsPrintable(raw: String, shown: String) {
        let error = #expect(throws: DomainError.self) { try Role(parsing: raw) }
        #expect(error == .invalidInput(field: "role", "must be admin or viewer, not '\(raw)'"))
        let description = error?.description ?? ""
        #expect(!description.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format })
        #expect(!description.unicodeScalars.contains { $0.properties.generalCategory == .lineSeparator })
        #expect(description.contains(shown))
    }

    @Test("an ANSI escape in a role is shown as \\u{1b}")
    func escapeIsSpelledOut() {
        let error = #expect(throws: DomainError.self) { try Role(parsing: "\u{1b}[31mboss") }
        let description = error?.description ?? ""
        #expect(!description.unicodeScalars.contains("\u{1b}"))
        #expect(description.contains("\\u{1b}"))
        #expect(description == "role must be admin or viewer, not '\\u{1b}[31mboss'")
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
