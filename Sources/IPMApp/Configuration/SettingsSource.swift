import Foundation

/// Settings from the environment and, when `IPM_CONFIG_FILE` names one, a file of
/// `NAME=value` lines (`#` comments, optional quotes, LF or CRLF line ends). The environment
/// wins. A file that holds a secret must be readable by its owner only, as ssh insists for a key.
/// Secrets may also come from files of their own (`IPM_ENCRYPTION_KEYS_FILE`, `SecretFiles`).
struct SettingsSource: Sendable {
    private let values: [String: String]

    init(environment: [String: String]) throws(ConfigurationError) {
        var merged: [String: String] = [:]
        if let path = environment["IPM_CONFIG_FILE"], !path.isEmpty {
            merged = try Self.readFile(path)
        }
        for (key, value) in environment { merged[key] = value }
        self.values = try SecretFiles.resolve(merged)
    }

    /// The value, or `nil` when unset or empty.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private static func readFile(_ path: String) throws(ConfigurationError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("IPM_CONFIG_FILE", "expected a readable file, cannot read \(path)")
        }
        var result: [String: String] = [:]
        // "\r\n" is one Character in Swift: a split on "\n" alone would see a CRLF file as one line.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (number, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), line.hasPrefix("IPM_") || line.hasPrefix("PG") else {
                throw ConfigurationError("IPM_CONFIG_FILE", "expected NAME=value lines, line \(number + 1) of \(path) is not one")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[line[..<equals].trimmingCharacters(in: .whitespaces)] = value
        }
        if let secret = result.keys.sorted().first(where: { Self.holdsSecret($0, result[$0] ?? "") }) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw ConfigurationError("IPM_CONFIG_FILE", "expected a readable file, cannot read \(path)")
            }
            if info.st_mode & 0o044 != 0 {
                throw ConfigurationError(
                    "IPM_CONFIG_FILE",
                    "expected a file that only its owner can read, since it holds \(secret); \(path) has mode \(String(info.st_mode & 0o777, radix: 8)) (chmod 600 \(path))"
                )
            }
        }
        return result
    }

    /// Settings whose value is a secret: credentials, keys, tokens, passwords, and a database
    /// URL that carries a password.
    static func holdsSecret(_ name: String, _ value: String) -> Bool {
        let upper = name.uppercased()
        if ["SECRET", "PASSWORD", "TOKEN", "_KEYS", "_KEY"].contains(where: { upper.contains($0) }) {
            // Numbers about secrets are not secrets: IPM_SERVICE_TOKEN_CACHE, IPM_PASSWORD_HASH_COST, IPM_API_TOKEN_DAYS;
            // nor is the path of a file that holds one (IPM_ENCRYPTION_KEYS_FILE).
            return !["_CACHE", "_COST", "_DAYS", "_FILE"].contains(where: { upper.hasSuffix($0) })
        }
        if upper == "IPM_DATABASE_URL" {
            let lower = value.lowercased()
            if lower.range(of: #"password\s*="#, options: .regularExpression) != nil { return true }
            // scheme://user:password@host
            if lower.range(of: #"^[a-z]+://[^/@?]*:[^/@?]*@"#, options: .regularExpression) != nil { return true }
        }
        return false
    }
}
