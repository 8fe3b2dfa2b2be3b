import IPMDomain
import Testing

@Suite("Password")
struct PasswordTests {
    static let plaintext = "correct horse battery"

    @Test("at least 10 characters")
    func minimumLength() throws {
        #expect(Password.minimumLength == 10)
        #expect(try Password("0123456789").plaintext == "0123456789")
        let error = #expect(throws: DomainError.self) { try Password("012345678") }
        #expect(error == .invalidInput(field: "password", "must be at least 10 characters"))
    }

    @Test("the minimum counts characters, not bytes")
    func minimumCountsCharacters() throws {
        // Nine emoji are 36 bytes but still nine characters: too short.
        #expect(throws: DomainError.invalidInput(field: "password", "must be at least 10 characters")) {
            try Password(String(repeating: "😀", count: 9))
        }
        #expect(try Password(String(repeating: "é", count: 10)).plaintext.count == 10)
    }

    @Test(
        "at most 72 UTF-8 bytes, bcrypt's limit",
        arguments: [
            (String(repeating: "a", count: 72), true),
            (String(repeating: "a", count: 73), false),
            (String(repeating: "é", count: 36), true),  // 2 bytes each: 72
            (String(repeating: "é", count: 37), false),  // 74 bytes, only 37 characters
            (String(repeating: "😀", count: 18), true),  // 4 bytes each: 72
            (String(repeating: "😀", count: 19), false),  // 76 bytes, only 19 characters
            (String(repeating: "a", count: 71) + "é", false),  // 73 bytes
            (String(repeating: "a", count: 70) + "é", true),  // 72 bytes
        ])
    func maximumBytes(plaintext: String, accepted: Bool) throws {
        #expect(Password.maximumBytes == 72)
        if accepted {
            #expect(try Password(plaintext).plaintext == plaintext)
        } else {
            #expect(throws: DomainError.invalidInput(field: "password", "must be at most 72 bytes")) { try Password(plaintext) }
        }
    }

    @Test("a password is kept exactly as typed, whitespace included")
    func notTrimmed() throws {
        #expect(try Password("  spaced out  ").plaintext == "  spaced out  ")
    }

    @Test("refusals never repeat the password", arguments: ["short", String(repeating: "toolong", count: 20)])
    func errorsDoNotLeak(plaintext: String) {
        let error = #expect(throws: DomainError.self) { try Password(plaintext) }
        #expect(error?.description.contains(plaintext) == false)
        #expect(error.map { String(reflecting: $0) }?.contains(plaintext) == false)
    }

    @Test("unchecked passwords accept any length, for sign-in attempts", arguments: ["", "x", String(repeating: "😀", count: 100)])
    func unchecked(plaintext: String) {
        #expect(Password(unchecked: plaintext).plaintext == plaintext)
    }

    @Test("a password never prints its plaintext")
    func redacted() throws {
        let password = try Password(Self.plaintext)
        let renderings = [
            password.description, password.debugDescription, "\(password)", String(describing: password),
            String(reflecting: password), "\([password])", "\(Optional(password) as Any)", "\(Password(unchecked: Self.plaintext))",
        ]
        for rendering in renderings {
            #expect(!rendering.contains(Self.plaintext))
            #expect(rendering.contains("redacted"))
        }
    }

    @Test("a password does not leak through reflection either")
    func reflectionDoesNotLeak() throws {
        let password = try Password(Self.plaintext)
        var dumped = ""
        dump(password, to: &dumped)
        // Password is CustomReflectable with no children, so neither `dump` nor `Mirror` shows the plaintext.
        #expect(!dumped.contains(Self.plaintext))
        #expect(Mirror(reflecting: password).children.isEmpty)
        var dumpedUnchecked = ""
        dump(Password(unchecked: Self.plaintext), to: &dumpedUnchecked)
        #expect(!dumpedUnchecked.contains(Self.plaintext))
        var dumpedNested = ""
        dump(["login": password], to: &dumpedNested)
        #expect(!dumpedNested.contains(Self.plaintext))
    }
}

@Suite("Secret")
struct SecretTests {
    static let token = "eyJhbGciOiJSUzI1NiJ9.access-token-value"

    @Test("a secret never prints its value")
    func redacted() {
        let secret = Secret(Self.token)
        #expect(secret.value == Self.token)
        let renderings = [
            secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
            String(reflecting: secret), "\([secret])", "\(["token": secret])", "\(Optional(secret) as Any)",
        ]
        for rendering in renderings {
            #expect(!rendering.contains(Self.token))
            #expect(rendering.contains("Secret(redacted)"))
        }
    }

    @Test("a secret does not leak through reflection either")
    func reflectionDoesNotLeak() {
        var dumped = ""
        dump(Secret(Self.token), to: &dumped)
        #expect(!dumped.contains(Self.token))
        #expect(Mirror(reflecting: Secret(Self.token)).children.isEmpty)
        var dumpedNested = ""
        dump(["token": Secret(Self.token)], to: &dumpedNested)
        #expect(!dumpedNested.contains(Self.token))
    }

    @Test("secrets compare by value")
    func equality() {
        #expect(Secret("a") == Secret("a"))
        #expect(Secret("a") != Secret("b"))
    }

    @Test("a sealed secret keeps its key id and bytes")
    func sealed() {
        let sealed = SealedSecret(keyID: "k1", ciphertext: [1, 2, 3])
        #expect(sealed.keyID == "k1")
        #expect(sealed.ciphertext == [1, 2, 3])
        #expect(sealed != SealedSecret(keyID: "k2", ciphertext: [1, 2, 3]))
    }
}
