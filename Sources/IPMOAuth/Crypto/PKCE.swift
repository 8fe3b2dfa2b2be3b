import Crypto
public import IPMDomain

/// Proof Key for Code Exchange with the S256 method (RFC 7636).
public enum PKCE {
    /// The only method IPM sends; `plain` would put the verifier on the browser's URL.
    public static let method = "S256"

    /// A fresh verifier: 32 random bytes as 43 base64url characters (RFC 7636 §4.1).
    public static func makeVerifier(using random: any RandomSource) -> Secret {
        Secret(Base64URL.encode(random.bytes(32)))
    }

    /// `BASE64URL(SHA256(ASCII(verifier)))` without padding (RFC 7636 §4.2).
    public static func challenge(for verifier: Secret) -> String {
        Base64URL.encode(SHA256.hash(data: Array(verifier.value.utf8)))
    }
}
