import Foundation

/// Unpredictable opaque values: 256 bits from the system's CSPRNG (`getrandom` on Linux),
/// base64url without padding (43 characters).
enum OpaqueToken {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = Data()
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Base64URL.encode(bytes)
    }
}

/// RFC 4648 §5 base64url without padding, as PKCE (RFC 7636) and the tokens use it.
enum Base64URL {
    static func encode(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
