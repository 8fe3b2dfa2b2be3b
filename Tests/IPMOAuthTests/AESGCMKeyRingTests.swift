import Foundation
import IPMDomain
import IPMOAuth
import Testing

@Suite("AES-GCM key ring")
struct AESGCMKeyRingTests {
    static let keyA = Data(repeating: 0xA1, count: 32).base64EncodedString()
    static let keyB = Data(repeating: 0xB2, count: 32).base64EncodedString()
    static let context = "ups_connections.refresh_token:company-1"

    private func ring(_ spec: String) throws -> AESGCMKeyRing { try AESGCMKeyRing.parse(spec) }

    private func openError(_ ring: AESGCMKeyRing, _ sealed: SealedSecret, context: String = context) -> SecretBoxError? {
        do {
            _ = try ring.open(sealed, context: context)
            return nil
        } catch {
            return error
        }
    }

    @Test func sealsAndOpensInTheSameContext() throws {
        let ring = try ring("k1:\(Self.keyA)")
        let sealed = try ring.seal(Secret("refresh-token-value"), context: Self.context)
        #expect(sealed.keyID == "k1")
        #expect(sealed.ciphertext.count == 12 + "refresh-token-value".utf8.count + 16)
        #expect(try ring.open(sealed, context: Self.context) == Secret("refresh-token-value"))
        // A fresh nonce each time: the same secret never seals to the same bytes.
        #expect(try ring.seal(Secret("refresh-token-value"), context: Self.context) != sealed)
        #expect(try ring.open(ring.seal(Secret(""), context: Self.context), context: Self.context) == Secret(""))
    }

    @Test func anotherContextDoesNotOpen() throws {
        let ring = try ring("k1:\(Self.keyA)")
        let sealed = try ring.seal(Secret("token"), context: Self.context)
        #expect(openError(ring, sealed, context: "ups_connections.refresh_token:company-2")?.kind == .tampered)
        #expect(openError(ring, sealed, context: "ups_connections.access_token:company-1")?.kind == .tampered)
    }

    @Test func everyFlippedBitIsDetected() throws {
        let ring = try ring("k1:\(Self.keyA)")
        let sealed = try ring.seal(Secret("token"), context: Self.context)
        for index in sealed.ciphertext.indices {
            var bytes = sealed.ciphertext
            bytes[index] ^= 0x01
            #expect(openError(ring, SealedSecret(keyID: "k1", ciphertext: bytes))?.kind == .tampered)
        }
    }

    @Test func aCiphertextRelabelledWithAnotherKeyIDDoesNotOpen() throws {
        // Both ids hold the same key: only the authenticated key id tells them apart.
        let ring = try ring("k1:\(Self.keyA),k2:\(Self.keyA)")
        let sealed = try ring.seal(Secret("token"), context: Self.context)
        #expect(openError(ring, SealedSecret(keyID: "k2", ciphertext: sealed.ciphertext))?.kind == .tampered)
    }

    @Test func unknownKeyAndShortCiphertextAreNamed() throws {
        let ring = try ring("k1:\(Self.keyA)")
        #expect(openError(ring, SealedSecret(keyID: "gone", ciphertext: Array(repeating: 0, count: 40)))?.kind == .unknownKey("gone"))
        #expect(openError(ring, SealedSecret(keyID: "k1", ciphertext: Array(repeating: 0, count: 27)))?.kind == .malformed)
        #expect(openError(ring, SealedSecret(keyID: "k1", ciphertext: []))?.kind == .malformed)
    }

    @Test func rotationSealsWithTheFirstKeyAndOpensWithEvery() throws {
        let old = try ring("old:\(Self.keyA)")
        let sealedBefore = try old.seal(Secret("token"), context: Self.context)
        let rotated = try ring("new:\(Self.keyB), old:\(Self.keyA)")
        #expect(rotated.currentKeyID == "new")
        #expect(rotated.keyIDs == ["new", "old"])
        #expect(try rotated.open(sealedBefore, context: Self.context) == Secret("token"))
        let sealedAfter = try rotated.seal(Secret("token"), context: Self.context)
        #expect(sealedAfter.keyID == "new")
        #expect(openError(old, sealedAfter)?.kind == .unknownKey("new"))
    }

    @Test func acceptsBase64URLKeysWithoutPadding() throws {
        let bytes = Data((0..<32).map { UInt8(($0 * 7 + 250) % 256) })
        let url = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let standard = try ring("a:\(bytes.base64EncodedString())")
        let sealed = try standard.seal(Secret("token"), context: Self.context)
        #expect(try ring("a:\(url)").open(sealed, context: Self.context) == Secret("token"))
    }

    @Test(arguments: [
        ("", "no key is configured"),
        ("   ", "no key is configured"),
        ("k1:\(keyA),", "entry 2 of 2 is empty"),
        (keyA, "entry 1 of 1 has no \":\" between key id and key"),
        ("k1:\(keyA),k1:\(keyB)", "entry 2 of 2 repeats the key id \"k1\""),
        ("bad id:\(keyA)", "entry 1 of 1 has an invalid key id (6 characters)"),
        (":\(keyA)", "entry 1 of 1 has an invalid key id (0 characters)"),
        ("\(String(repeating: "x", count: 33)):\(keyA)", "entry 1 of 1 has an invalid key id (33 characters)"),
        ("k1:not*base64", "entry 1 of 1 (key id \"k1\") is not valid base64"),
        ("k1:\(Data(repeating: 1, count: 16).base64EncodedString())", "entry 1 of 1 (key id \"k1\") decodes to 16 bytes, not 32"),
    ])
    func parseErrorsNameTheSettingAndNeverEchoKeys(spec: String, problem: String) {
        do {
            _ = try AESGCMKeyRing.parse(spec)
            Issue.record("parsed \(spec)")
        } catch {
            #expect(error.message.hasPrefix("IPM_ENCRYPTION_KEYS: \(problem); expected id:base64key"))
            #expect(!error.message.contains("\n"))
            #expect(!error.message.contains(Self.keyA) && !error.message.contains(Self.keyB))
        }
    }

    @Test func aKeyTypedTheWrongWayRoundIsNotEchoed() {
        #expect(throws: KeyRingConfigurationError.self) { try AESGCMKeyRing.parse("\(Self.keyA):k1") }
        do {
            _ = try AESGCMKeyRing.parse("\(Self.keyA):k1")
        } catch {
            #expect(!error.message.contains(Self.keyA))
        }
    }

    @Test func generatedSpecsParseAndDiffer() throws {
        let spec = try AESGCMKeyRing.generateKeySpec(id: "2025-01")
        #expect(spec.hasPrefix("2025-01:"))
        let ring = try AESGCMKeyRing.parse(spec)
        #expect(try ring.open(ring.seal(Secret("x"), context: "c"), context: "c") == Secret("x"))
        #expect(try AESGCMKeyRing.generateKeySpec(id: "2025-01") != spec)
        #expect(throws: KeyRingConfigurationError.self) { try AESGCMKeyRing.generateKeySpec(id: "no spaces") }
    }
}
