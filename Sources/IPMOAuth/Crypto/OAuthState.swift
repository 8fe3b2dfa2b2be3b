import Crypto
public import IPMDomain

/// The `state` parameter that ties a callback to the opt-in that started it. Only its
/// digest is stored, so a database reader cannot complete someone else's opt-in.
public enum OAuthState {
    /// 32 random bytes (256 bits) as 43 base64url characters.
    public static func make(using random: any RandomSource) -> Secret {
        Secret(Base64URL.encode(random.bytes(32)))
    }

    /// SHA-256 of the state as sent; what gets stored and looked up.
    public static func digest(_ state: Secret) -> [UInt8] {
        Array(SHA256.hash(data: Array(state.value.utf8)))
    }
}
