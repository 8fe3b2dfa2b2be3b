import Foundation
import IPMAPIModels
import Testing

/// The token API writes its answer without `JSONEncoder` (decision 80): the bytes must be the
/// ones the API's encoder writes, and read back by the API's decoder, for any token and time.
@Suite("The token API's answer, written directly")
struct AccessTokenJSONEncodingTests {
    @Test("equal to APIJSONCoding's encoder for tokens of every character and times of every kind")
    func sameBytesAsTheEncoder() throws {
        var random = SystemRandomNumberGenerator()
        var tokens = ["", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl", #"q"u\o/te"#, "é😀\u{7F}\u{2028}\u{FEFF}"]
        tokens.append(String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }))
        for _ in 0..<300 {
            let scalars = (0..<Int.random(in: 0...40, using: &random)).compactMap { _ -> Character? in
                let pick = Int.random(in: 0..<4, using: &random)
                let value = pick == 0 ? UInt32.random(in: 0..<0x80, using: &random) : UInt32.random(in: 0..<0x11_0000, using: &random)
                return Unicode.Scalar(value).map(Character.init)
            }
            tokens.append(String(scalars))
        }
        var times: [Double] = [0, 0.999, 59, 86_399.5, 951_782_400, 951_868_799, 1_800_000_000.25, 4_107_542_400, 253_402_300_799.9]
        times += (0..<300).map { _ in Double.random(in: 0..<253_402_300_800, using: &random) }
        times += [-1, -86_400.5, 253_402_300_800, 300_000_000_000]  // outside 1970–9999: the encoder's own
        let encoder = APIJSONCoding.encoder()
        for (index, time) in times.enumerated() {
            for token in [tokens[index % tokens.count], tokens[(index * 7 + 3) % tokens.count]] {
                let expiresIn = [0, 1, 14_399, -5, Int.max, Int.min][index % 6]
                let answer = AccessTokenJSON(
                    accessToken: token, tokenType: index.isMultiple(of: 5) ? "Bearer" : token, expiresAt: Date(timeIntervalSince1970: time),
                    expiresIn: expiresIn)
                let written = try answer.encodedJSON()
                let expected = Array(try encoder.encode(answer))
                #expect(written == expected, "\(String(decoding: written, as: UTF8.self)) ≠ \(String(decoding: expected, as: UTF8.self))")
                guard (0..<253_402_300_800).contains(time) else { continue }
                let read = try APIJSONCoding.decoder().decode(AccessTokenJSON.self, from: Data(written))
                #expect(read.accessToken == token && read.expiresIn == expiresIn)
                #expect(read.expiresAt == Date(timeIntervalSince1970: time.rounded(.down)))
            }
        }
    }
}
