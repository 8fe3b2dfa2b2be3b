import IPMDomain
import Testing

@Suite("SignInName")
struct SignInNameTests {
    @Test("surrounding whitespace is trimmed", arguments: ["  alice", "alice  ", "\talice\n", " \u{00A0}alice\u{2003} "])
    func trimsWhitespace(raw: String) throws {
        #expect(try SignInName(raw).value == "alice")
    }

    @Test("the name is kept as typed for display")
    func keepsCase() throws {
        let name = try SignInName("Alice.Smith")
        #expect(name.value == "Alice.Smith")
        #expect(name.description == "Alice.Smith")
        #expect("\(name)" == "Alice.Smith")
        #expect(name.normalized == "alice.smith")
    }

    @Test("equality and hashing ignore case")
    func caseInsensitiveEquality() throws {
        let names = try ["alice", "Alice", "ALICE", " aLiCe "].map(SignInName.init)
        for name in names {
            #expect(name == names[0])
            #expect(name.hashValue == names[0].hashValue)
        }
        #expect(Set(names).count == 1)
        #expect(try SignInName("alice") != SignInName("alicia"))
    }

    @Test(
        "ASCII letters, digits and . _ - @ are allowed",
        arguments: ["alice", "ALICE", "user123", "first.last", "a_b-c", "ops@example.com", "Zz09", "0"])
    func acceptsAllowedCharacters(raw: String) throws {
        #expect(try SignInName(raw).value == raw)
    }

    @Test(
        "any other character is refused",
        arguments: [
            "alice smith", "alice!", "a/b", "a\\b", "a'b", "a\"b", "a;b", "<script>", "a+b", "a😀", "a\u{0}b", "a\nb", "a\u{202E}b", "a\u{200B}b",
            "a:b", "a%b",
            "Zoë", "ÅSA", "日本", "a\u{E000}b", "a\u{2028}b",
        ])
    func refusesOtherCharacters(raw: String) {
        #expect(throws: DomainError.invalidInput(field: "sign-in name", "may contain only the letters a-z, digits and . _ - @")) {
            try SignInName(raw)
        }
    }

    @Test(
        "look-alike and accented letters are refused",
        arguments: ["\u{0430}lice", "ünïcode", "\u{0410}LICE", "ali\u{0441}e", "a\u{301}lice", "\u{FF41}lice"])
    func refusesNonASCIILetters(raw: String) {
        // "аlice" with a Cyrillic а (U+0430) reads exactly like "alice".
        let error = #expect(throws: DomainError.self) { try SignInName(raw) }
        #expect(error == .invalidInput(field: "sign-in name", "may contain only the letters a-z, digits and . _ - @"))
        #expect(error?.description == "sign-in name may contain only the letters a-z, digits and . _ - @")
    }

    @Test("an empty or blank name is refused", arguments: ["", " ", "\t\n", "\u{00A0}"])
    func refusesEmpty(raw: String) {
        let error = #expect(throws: DomainError.self) { try SignInName(raw) }
        #expect(error?.isInvalidInput == true)
        #expect(error?.description == "sign-in name must not be empty")
    }

    @Test("at most 64 characters, counted after trimming")
    func lengthBound() throws {
        #expect(SignInName.maximumLength == 64)
        let longest = String(repeating: "a", count: 64)
        #expect(try SignInName(longest).value == longest)
        #expect(try SignInName("  \(longest)  ").value == longest)
        let error = #expect(throws: DomainError.self) { try SignInName(longest + "a") }
        #expect(error?.isInvalidInput == true)
        #expect(error?.description == "sign-in name must be at most 64 characters")
    }
}
