import Foundation
import IPMDomain
import IPMOAuth

/// Where the key ring comes from: `IPM_ENCRYPTION_KEYS`, or — for the single-machine demo on
/// the embedded database only — a key generated once and kept in the state directory.
enum KeyRingLoader {
    static let demoKeyFileName = "encryption-keys"

    static func load(_ configuration: IPMConfiguration) throws -> AESGCMKeyRing {
        if let spec = configuration.encryptionKeys {
            do {
                return try AESGCMKeyRing.parse(spec)
            } catch {
                throw ConfigurationError("IPM_ENCRYPTION_KEYS", error.description.trimmingPrefix("IPM_ENCRYPTION_KEYS: "))
            }
        }
        guard configuration.database == .embedded else {
            throw ConfigurationError(
                "IPM_ENCRYPTION_KEYS",
                "expected id:base64key[,id:base64key…] (32-byte AES keys, the first one seals) when the database is shared; `ipm keys generate --id k1` prints one"
            )
        }
        return try demoKeyRing(in: configuration.stateDirectory)
    }

    /// The demo's key: created with mode 0600 on first use, read afterwards.
    private static func demoKeyRing(in stateDirectory: URL) throws -> AESGCMKeyRing {
        let file = stateDirectory.appendingPathComponent(demoKeyFileName)
        let manager = FileManager.default
        if !manager.fileExists(atPath: file.path) {
            try manager.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
            let spec = try AESGCMKeyRing.generateKeySpec(id: "demo1")
            // Created exclusively with its final mode, so no other user ever sees the key.
            let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                defer { close(fd) }
                let bytes = Array((spec + "\n").utf8)
                guard write(fd, bytes, bytes.count) == bytes.count else {
                    throw ConfigurationError("IPM_ENCRYPTION_KEYS", "unset, and the demo key could not be written to \(file.path)")
                }
            }
        }
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw ConfigurationError("IPM_ENCRYPTION_KEYS", "unset, and the demo key file \(file.path) cannot be read")
        }
        do {
            return try AESGCMKeyRing.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw ConfigurationError("IPM_ENCRYPTION_KEYS", "unset, and the demo key file \(file.path) is not valid: \(error)")
        }
    }
}

extension String {
    func trimmingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
