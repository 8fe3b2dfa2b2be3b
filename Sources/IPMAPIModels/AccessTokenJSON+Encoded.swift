public import Foundation
import IPMDomain

extension AccessTokenJSON {
    /// The bytes `APIJSONCoding.encoder()` writes for this value — keys sorted, the time in
    /// ISO 8601 whole seconds, `/` escaped — written directly. This is the token API's answer,
    /// its hot path, where `JSONEncoder` was the largest single cost (decision 80). A time
    /// outside the years 1970–9999 goes through the encoder.
    public func encodedJSON() throws -> [UInt8] {
        let seconds = expiresAt.timeIntervalSince1970.rounded(.down)
        guard seconds >= 0, seconds < Self.year10000 else { return Array(try APIJSONCoding.encoder().encode(self)) }
        var out: [UInt8] = []
        out.reserveCapacity(accessToken.utf8.count + tokenType.utf8.count + 96)
        out.append(contentsOf: #"{"access_token":"#.utf8)
        Self.appendString(accessToken, to: &out)
        out.append(contentsOf: #","expires_at":""#.utf8)
        out.append(contentsOf: UTCDateTime(secondsSince1970: Int(seconds)).iso8601Text().utf8)
        out.append(contentsOf: #"","expires_in":"#.utf8)
        out.append(contentsOf: String(expiresIn).utf8)
        out.append(contentsOf: #","token_type":"#.utf8)
        Self.appendString(tokenType, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// 10000-01-01T00:00:00Z in seconds since 1970.
    private static let year10000: Double = 253_402_300_800

    /// A JSON string as `JSONEncoder` writes it: `"`, `\` and `/` escaped, control characters
    /// as `\b \t \n \f \r` or `\u00xx`, everything else as its UTF-8.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x00..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
