import Foundation

/// Percent-encoding for the authorize query, token forms and Basic credentials. Everything
/// but RFC 3986's unreserved characters is encoded, so `+`, `&`, `=` and `/` in a value can
/// never change its meaning.
enum FormEncoding {
    /// `name=value&…` for a URL query: space is `%20`.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0, spaceAsPlus: false))=\(encode($0.1, spaceAsPlus: false))" }.joined(separator: "&")
    }

    /// An `application/x-www-form-urlencoded` body: space is `+`.
    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0, spaceAsPlus: true))=\(encode($0.1, spaceAsPlus: true))" }.joined(separator: "&")
    }

    /// HTTP Basic credentials for an OAuth client: id and secret are form-encoded before
    /// they are joined with `:` (RFC 6749 §2.3.1), so a `:` in the id cannot split it.
    static func basicAuthorization(user: String, password: String) -> String {
        let credentials = "\(encode(user, spaceAsPlus: true)):\(encode(password, spaceAsPlus: true))"
        return "Basic \(Data(credentials.utf8).base64EncodedString())"
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
