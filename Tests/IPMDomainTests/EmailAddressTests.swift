import IPMDomain
import Testing

@Suite("EmailAddress")
struct EmailAddressTests {
    @Test("well-formed addresses are accepted", arguments: ["a@b.co", "first.last+tag@sub.example.org", "OPS@Example.COM"])
    func accepts(raw: String) throws {
        let email = try EmailAddress(raw)
        #expect(email.value == raw)
        #expect(email.description == raw)
    }

    @Test("surrounding whitespace is trimmed")
    func trims() throws {
        #expect(try EmailAddress("  ops@example.com\n").value == "ops@example.com")
    }

    @Test(
        "malformed addresses are refused",
        arguments: [
            "", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com", "a@.com", "a@com.", "a b@c.com", "a@b .com", "a\u{0}@b.com",
            "a@b.c\u{7}om",
        ])
    func refuses(raw: String) {
        let error = #expect(throws: DomainError.self) { try EmailAddress(raw) }
        #expect(error?.isInvalidInput == true)
        #expect(error?.description.hasPrefix("email ") == true)
    }

    @Test("a refusal spells out control and invisible characters instead of echoing them")
    func refusalIsPrintable() {
        let error = #expect(throws: DomainError.self) { try EmailAddress("\u{1b}[31mops@example.com") }
        let description = error?.description ?? ""
        #expect(!description.unicodeScalars.contains("\u{1b}"))
        #expect(description.contains("\\u{1b}"))
        #expect(description == "email '\\u{1b}[31mops@example.com' is not an email address")

        let bidi = #expect(throws: DomainError.self) { try EmailAddress("ops\u{202E}@example.com\u{0}") }
        #expect(bidi?.description == "email 'ops\\u{202e}@example.com\\u{0}' is not an email address")
    }

    @Test("at most 254 characters")
    func lengthBound() throws {
        let domain = "@example.com"
        let longest = String(repeating: "a", count: 254 - domain.count) + domain
        #expect(try EmailAddress(longest).value.count == 254)
        #expect(throws: DomainError.self) { try EmailAddress("a" + longest) }
    }
}
