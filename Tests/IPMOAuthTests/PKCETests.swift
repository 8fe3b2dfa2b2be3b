import Foundation
import IPMDomain
import IPMOAuth
import Testing

@Suite("PKCE and state")
struct PKCETests {
    /// The 32 octets of RFC 7636 appendix B.
    static let rfcOctets: [UInt8] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
        22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ]

    @Test func verifierAndChallengeMatchRFC7636AppendixB() {
        let verifier = PKCE.makeVerifier(using: ScriptedRandom(Self.rfcOctets))
        #expect(verifier.value == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(PKCE.challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func verifiersAre43UnreservedCharactersAndDiffer() {
        let first = PKCE.makeVerifier(using: SystemRandomSource())
        let second = PKCE.makeVerifier(using: SystemRandomSource())
        #expect(first.value.count == 43)
        #expect(first.value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
        #expect(first != second)
        #expect("\(first)" == "Secret(redacted)")
    }

    @Test func stateIs256BitsOfBase64URLAndOnlyItsDigestIsKept() {
        let state = OAuthState.make(using: ScriptedRandom.repeating(0xFB))
        // 0xFB bytes use both URL-safe characters; 43 characters carry exactly 32 bytes.
        #expect(state.value == String(repeating: "-_v7", count: 10) + "-_s")
        let digest = OAuthState.digest(state)
        #expect(digest.count == 32)
        #expect(digest == OAuthState.digest(Secret(state.value)))
        #expect(digest != OAuthState.digest(OAuthState.make(using: SystemRandomSource())))
    }
}
