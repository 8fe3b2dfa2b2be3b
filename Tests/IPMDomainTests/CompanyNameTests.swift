import Foundation
import IPMDomain
import Testing

@Suite("CompanyName")
struct CompanyNameTests {
    @Test("surrounding whitespace is trimmed; inner spaces and punctuation are kept")
    func trims() throws {
        let name = try CompanyName("  Acme Freight & Co.  \n")
        #expect(name.value == "Acme Freight & Co.")
        #expect(name.description == "Acme Freight & Co.")
    }

    @Test("equality and hashing ignore case")
    func caseInsensitive() throws {
        let a = try CompanyName("Acme")
        let b = try CompanyName("ACME")
        let c = try CompanyName(" acme ")
        #expect(a == b && b == c)
        #expect(Set([a, b, c]).count == 1)
        #expect(a.normalized == "acme")
        #expect(a.value == "Acme")
        #expect(try CompanyName("Acme") != CompanyName("Acme Ltd"))
    }

    @Test("an empty or blank name is refused", arguments: ["", "   ", "\n\t"])
    func refusesEmpty(raw: String) {
        #expect(throws: DomainError.invalidInput(field: "company name", "must not be empty")) { try CompanyName(raw) }
    }

    @Test("at most 100 characters")
    func lengthBound() throws {
        #expect(CompanyName.maximumLength == 100)
        #expect(try CompanyName(String(repeating: "x", count: 100)).value.count == 100)
        #expect(throws: DomainError.invalidInput(field: "company name", "must be at most 100 characters")) {
            try CompanyName(String(repeating: "x", count: 101))
        }
    }

    @Test(
        "control characters are refused",
        arguments: ["Acme\u{0}", "Acme\nCorp", "Acme\rCorp", "Acme\tCorp", "\u{1B}[31mAcme", "Acme\u{7F}", "Acme\u{85}Corp"])
    func refusesControlCharacters(raw: String) {
        #expect(throws: DomainError.invalidInput(field: "company name", "must not contain control or invisible characters")) { try CompanyName(raw) }
    }

    @Test(
        "invisible, format, separator, private-use and unassigned characters are refused",
        arguments: [
            "Acme\u{202E}rocf", "Acme\u{2066}Corp", "Acme\u{2028}Corp", "Acme\u{2029}Corp", "Acme\u{200B}", "Ac\u{200D}me", "\u{FEFF}Acme",
            "Acme\u{AD}Corp", "Acme\u{E000}", "Acme\u{F0000}", "Acme\u{378}",
        ])
    func refusesInvisibleCharacters(raw: String) {
        // Bidi overrides and zero-width characters can spoof a name in the TUI; line separators split a log line.
        let error = #expect(throws: DomainError.self) { try CompanyName(raw) }
        #expect(error == .invalidInput(field: "company name", "must not contain control or invisible characters"))
        #expect(error?.isInvalidInput == true)
        #expect(error?.description == "company name must not contain control or invisible characters")
    }

    @Test(
        "ordinary letters, marks, symbols and emoji from any script are kept",
        arguments: [
            "Müller & Söhne", "日本通運", "Ñandú S.A.", "Cafe\u{301} Cre\u{300}me", "Acme 🚚", "Ελληνικά ΑΕ", "Acme\u{00A0}Corp",
        ])
    func acceptsPrintableUnicode(raw: String) throws {
        #expect(try CompanyName(raw).value == raw)
    }
}

@Suite("CompanyReference")
struct CompanyReferenceTests {
    static let uuid = UUID(uuidString: "3F2504E0-4F89-41D3-9A0C-0305E82C3301")!

    @Test(
        "a UUID in any case, with surrounding whitespace, is an id",
        arguments: [
            "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "  3f2504e0-4f89-41d3-9a0c-0305e82c3301\n",
        ])
    func uuidIsID(raw: String) throws {
        let reference = try CompanyReference(raw)
        #expect(reference == .id(CompanyID(Self.uuid)))
        #expect(reference.description == "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
    }

    @Test(
        "anything else is a name",
        arguments: [
            "Acme", "  Acme  ", "3f2504e0", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "3f2504e0-4f89-41d3-9a0c-0305e82c3301x",
            "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",
        ])
    func otherTextIsName(raw: String) throws {
        let reference = try CompanyReference(raw)
        let expected = try CompanyName(raw)
        #expect(reference == .name(expected))
        #expect(reference.description == expected.value)
    }

    @Test("a name reference compares case-insensitively")
    func nameReferenceIgnoresCase() throws {
        #expect(try CompanyReference("Acme") == CompanyReference("ACME"))
    }

    @Test("an invalid name is refused as a company name")
    func invalidName() {
        #expect(throws: DomainError.invalidInput(field: "company name", "must not be empty")) { try CompanyReference("  ") }
        #expect(throws: DomainError.invalidInput(field: "company name", "must not contain control or invisible characters")) {
            try CompanyReference("a\u{0}b")
        }
    }

    @Test("CompanyID parses and prints lowercase UUIDs")
    func companyID() {
        #expect(CompanyID("not a uuid") == nil)
        #expect(CompanyID("3F2504E0-4F89-41D3-9A0C-0305E82C3301")?.rawValue == Self.uuid)
        #expect(CompanyID(Self.uuid).description == "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        #expect(AdminID(Self.uuid.uuidString)?.description == "3f2504e0-4f89-41d3-9a0c-0305e82c3301")
    }

    @Test(
        "a company name that looks like a UUID is refused, since a reference would read it as an id",
        arguments: [
            "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "  3f2504e0-4f89-41d3-9a0c-0305e82c3301\n",
        ])
    func uuidShapedName(raw: String) throws {
        let error = #expect(throws: DomainError.self) { try CompanyName(raw) }
        #expect(error == .invalidInput(field: "company name", "must not look like a company id"))
        #expect(error?.description == "company name must not look like a company id")
        // The same text as a reference is an id, never a name.
        #expect(try CompanyReference(raw) == .id(CompanyID(Self.uuid)))
    }

    @Test(
        "text that is almost a UUID is still a valid name",
        arguments: [
            "3f2504e0", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "3f2504e0-4f89-41d3-9a0c-0305e82c3301x",
        ])
    func almostUUIDIsName(raw: String) throws {
        #expect(try CompanyName(raw).value == raw)
    }
}
