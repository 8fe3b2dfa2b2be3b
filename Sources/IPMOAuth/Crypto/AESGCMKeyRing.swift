import Crypto
import Foundation
public import IPMDomain

/// Secrets at rest under AES-256-GCM with a ring of named keys (`IPM_ENCRYPTION_KEYS`):
/// the first key seals, every key opens, so keys rotate by putting a new one first.
///
/// Sealed form: `SealedSecret(keyID:, ciphertext: nonce(12) ‖ ciphertext ‖ tag(16))`. The
/// authenticated data binds a format version, the key id and the caller's context, so a
/// ciphertext relabelled with another key id or copied to another record fails to open.
public struct AESGCMKeyRing: SecretBox {
    /// Bumped if the sealed layout ever changes; old ciphertexts then fail authentication
    /// instead of being misread.
    static let formatTag = Array("IPM-AESGCM-1".utf8)
    static let nonceSize = 12
    static let tagSize = 16

    private let keys: [RingKey]

    public var currentKeyID: String { keys[0].id }
    /// Every key id, the sealing one first.
    public var keyIDs: [String] { keys.map(\.id) }

    /// Parses `id1:base64key,id2:base64key`: ids unique, keys exactly 32 bytes in standard
    /// base64 or base64url. Spaces around entries are ignored.
    public static func parse(_ spec: String) throws(KeyRingConfigurationError) -> AESGCMKeyRing {
        let entries = spec.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard entries != [""] else { throw KeyRingConfigurationError("no key is configured") }
        var keys: [RingKey] = []
        for (index, entry) in entries.enumerated() {
            let position = "entry \(index + 1) of \(entries.count)"
            guard !entry.isEmpty else { throw KeyRingConfigurationError("\(position) is empty") }
            guard let colon = entry.firstIndex(of: ":") else {
                throw KeyRingConfigurationError("\(position) has no \":\" between key id and key")
            }
            let id = String(entry[..<colon])
            try validate(id: id, position: position)
            guard !keys.contains(where: { $0.id == id }) else {
                throw KeyRingConfigurationError("\(position) repeats the key id \"\(id)\"")
            }
            guard let bytes = Base64URL.decode(entry[entry.index(after: colon)...]) else {
                throw KeyRingConfigurationError("\(position) (key id \"\(id)\") is not valid base64")
            }
            guard bytes.count == 32 else {
                throw KeyRingConfigurationError("\(position) (key id \"\(id)\") decodes to \(bytes.count) bytes, not 32")
            }
            keys.append(RingKey(id: id, key: SymmetricKey(data: bytes)))
        }
        return AESGCMKeyRing(keys: keys)
    }

    /// A fresh `id:base64key` entry for `IPM_ENCRYPTION_KEYS` (`ipm keys generate`, the demo).
    public static func generateKeySpec(id: String, using random: any RandomSource = SystemRandomSource()) throws(KeyRingConfigurationError) -> String
    {
        try validate(id: id, position: "the new key")
        return "\(id):\(Data(random.bytes(32)).base64EncodedString())"
    }

    private init(keys: [RingKey]) {
        self.keys = keys
    }

    public func seal(_ plaintext: Secret, context: String) throws(SecretBoxError) -> SealedSecret {
        let (id, key) = (keys[0].id, keys[0].key)
        do {
            let box = try AES.GCM.seal(Array(plaintext.value.utf8), using: key, authenticating: Self.authenticatedData(keyID: id, context: context))
            return SealedSecret(keyID: id, ciphertext: Array(box.nonce) + Array(box.ciphertext) + Array(box.tag))
        } catch {
            // Only reachable with a wrong key or nonce size, which this type never builds.
            throw SecretBoxError(.malformed)
        }
    }

    public func open(_ sealed: SealedSecret, context: String) throws(SecretBoxError) -> Secret {
        guard let key = keys.first(where: { $0.id == sealed.keyID })?.key else {
            throw SecretBoxError(.unknownKey(sealed.keyID))
        }
        let bytes = sealed.ciphertext
        guard bytes.count >= Self.nonceSize + Self.tagSize else { throw SecretBoxError(.malformed) }
        let plaintext: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: bytes.prefix(Self.nonceSize)),
                ciphertext: bytes.dropFirst(Self.nonceSize).dropLast(Self.tagSize),
                tag: bytes.suffix(Self.tagSize)
            )
            plaintext = Array(try AES.GCM.open(box, using: key, authenticating: Self.authenticatedData(keyID: sealed.keyID, context: context)))
        } catch {
            throw SecretBoxError(.tampered)
        }
        // Everything sealed here was a Swift string; other bytes mean a foreign ciphertext.
        guard let text = String(validating: plaintext, as: UTF8.self) else { throw SecretBoxError(.malformed) }
        return Secret(text)
    }

    /// Format tag, key id and context, NUL-separated (ids cannot contain NUL).
    static func authenticatedData(keyID: String, context: String) -> [UInt8] {
        formatTag + [0] + Array(keyID.utf8) + [0] + Array(context.utf8)
    }

    private static func validate(id: String, position: String) throws(KeyRingConfigurationError) {
        let allowed = id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        // The id is not echoed: a malformed entry may be key material typed the wrong way round.
        guard allowed, (1...32).contains(id.utf8.count) else {
            throw KeyRingConfigurationError("\(position) has an invalid key id (\(id.utf8.count) characters)")
        }
    }
}

/// One named key. `SymmetricKey` is an immutable value that swift-crypto does not mark
/// `Sendable`; nothing here mutates it after parsing.
private struct RingKey: @unchecked Sendable {
    let id: String
    let key: SymmetricKey
}
