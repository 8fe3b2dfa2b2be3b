import Foundation
import Testing

@testable import IPMOAuth

/// IPM builds HTTP Basic as UPS's SDKs do, `base64(client_id:client_secret)`; RFC 6749
/// §2.3.1 form-encodes both first. For every credential UPS issues (letters and digits) the
/// two are the same bytes (decision 39).
@Suite("UPS Basic credentials")
struct BasicCredentialsTests {
    /// The RFC's way, for comparison.
    static func rfc6749(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(FormEncoding.encode(id, spaceAsPlus: true)):\(FormEncoding.encode(secret, spaceAsPlus: true))".utf8).base64EncodedString()
    }

    @Test func forLettersAndDigitsUPSsWayAndTheRFCsAreTheSame() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            // UPS's ids are 48 characters, secrets 64; any length behaves the same.
            let id = String((0..<Int.random(in: 1...64, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let secret = String((0..<Int.random(in: 1...96, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let header = FormEncoding.basicAuthorization(user: id, password: secret)
            #expect(header == Self.rfc6749(id, secret))
            #expect(header == "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
        }
    }

    @Test func otherCharactersAreSentAsTheyAreNotPercentEncoded() {
        let header = FormEncoding.basicAuthorization(user: "client-abc", password: "s3cr+t/=:x y")
        #expect(header == "Basic " + Data("client-abc:s3cr+t/=:x y".utf8).base64EncodedString())
        #expect(header != Self.rfc6749("client-abc", "s3cr+t/=:x y"))
    }
}
