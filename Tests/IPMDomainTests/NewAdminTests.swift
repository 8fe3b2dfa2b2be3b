import Foundation
import IPMDomain
import Testing

@Suite("NewAdmin and display names")
struct NewAdminTests {
    @Test("a missing or blank display name defaults to the sign-in name as typed", arguments: [nil, "", "   ", "\n\t"] as [String?])
    func defaultsToSignInName(displayName: String?) throws {
        let signInName = try SignInName("Alice.Smith")
        let newAdmin = try NewAdmin(signInName: signInName, displayName: displayName)
        #expect(newAdmin.displayName == "Alice.Smith")
        #expect(newAdmin.signInName.value == "Alice.Smith")
        #expect(newAdmin.email == nil)
    }

    @Test("a display name is trimmed free text")
    func trimmedFreeText() throws {
        let email = try EmailAddress("alice@example.com")
        let newAdmin = try NewAdmin(signInName: SignInName("alice"), displayName: "  Alice O'Brien (Ops) ", email: email)
        #expect(newAdmin.displayName == "Alice O'Brien (Ops)")
        #expect(newAdmin.email == email)
    }

    @Test("at most 100 characters")
    func lengthBound() throws {
        let signInName = try SignInName("alice")
        let longest = String(repeating: "é", count: 100)
        #expect(try NewAdmin(signInName: signInName, displayName: longest).displayName == longest)
        #expect(throws: DomainError.invalidInput(field: "display name", "must be at most 100 characters")) {
            try NewAdmin(signInName: signInName, displayName: longest + "x")
        }
    }

    @Test("control characters are refused", arguments: ["Alice\u{0}", "Alice\nSmith", "\u{1B}[2JAlice", "Al\u{7F}ice"])
    func refusesControlCharacters(displayName: String) throws {
        let signInName = try SignInName("alice")
        #expect(throws: DomainError.invalidInput(field: "display name", "must not contain control or invisible characters")) {
            try NewAdmin(signInName: signInName, displayName: displayName)
        }
        #expect(throws: DomainError.invalidInput(field: "display name", "must not contain control or invisible characters")) {
            try Admin.validatedDisplayName(displayName, default: signInName)
        }
    }

    @Test(
        "invisible, format, separator and private-use characters are refused",
        arguments: [
            "Alice\u{202E}", "Alice\u{2028}Smith", "Alice\u{2029}Smith", "Al\u{200B}ice", "\u{FEFF}Alice", "Alice\u{E000}", "Alice\u{378}",
        ])
    func refusesInvisibleCharacters(displayName: String) throws {
        let signInName = try SignInName("alice")
        let expected = DomainError.invalidInput(field: "display name", "must not contain control or invisible characters")
        #expect(throws: expected) { try NewAdmin(signInName: signInName, displayName: displayName) }
        #expect(throws: expected) { try Admin.validatedDisplayName(displayName, default: signInName) }
        #expect(expected.description == "display name must not contain control or invisible characters")
    }

    @Test("display names from any script are kept", arguments: ["Zoë Ångström", "山田 太郎", "Алиса", "Alice 🚀"])
    func acceptsPrintableUnicode(displayName: String) throws {
        #expect(try NewAdmin(signInName: SignInName("alice"), displayName: displayName).displayName == displayName)
    }

    @Test("an admin built from parts keeps them")
    func adminInit() throws {
        let id = AdminID()
        let admin = Admin(id: id, signInName: try SignInName("bob"), displayName: "Bob", email: nil, createdAt: Fixture.epoch)
        #expect(admin.id == id)
        #expect(admin.isDisabled == false)
        #expect(admin.createdAt == Fixture.epoch)
    }
}
