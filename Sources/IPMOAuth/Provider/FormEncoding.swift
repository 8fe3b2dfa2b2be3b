import Foundation

/// Percent-encoding for the authorize query and token forms (everything but RFC 3986's
/// unreserved characters is encoded, so `+`, `&`, `=` and `/` in a value can never change its
/// meaning), and UPS's Basic credentials.
enum FormEncoding {
    /// `name=value&…` for a URL query: space is `%20`.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0, spaceAsPlus: false))=\(encode($0.1, spaceAsPlus: false))" }.joined(separator: "&")
    }

    /// An `application/x-www-form-urlencoded` body: space is `+`.
    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0, spaceAsPlus: true))=\(encode($0.1, spaceAsPlus: true))" }.joined(separator: "&")
    }

    /// HTTP Basic credentials as UPS's SDKs build them: `base64(client_id:client_secret)`,
    /// nothing encoded first (decision 39). RFC 6749 §2.3.1 would form-encode both; for the
    /// letters and digits UPS issues the two are the same bytes, and for anything else UPS's
    /// gateway would compare the encoded text with the secret it holds. A `:` in the id would
    /// split it, so `IPM_UPS_CLIENT_ID` refuses one.
    static func basicAuthorization(user: String, password: String) -> String {
        "Basic \(Data("\(user):\(password)".utf8).base64EncodedString())"
    }

    static func encode(_ text: String, spaceAsPlus: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: " ") && spaceAsPlus {
                out += "+"
            } else {
                out += "%" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0x0F)]
            }
        }
        return out
    }

    private static let hexDigits = "0123456789ABCDEF".map(String.init)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
