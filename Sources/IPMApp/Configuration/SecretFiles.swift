import Foundation

/// Secrets given as files, the `_FILE` convention of the official PostgreSQL image:
/// `IPM_ENCRYPTION_KEYS_FILE=/run/secrets/ipm_keys` reads the key ring from that file, so the
/// secret never sits in the process environment (nor in `docker inspect`). One trailing line
/// end is dropped, as a shell's `$(< file)` would; setting both `NAME` and `NAME_FILE` is an
/// error, because which one wins would be a guess.
enum SecretFiles {
    /// The settings that may come from a file (decision 60).
    static let names = [
        "IPM_DATABASE_URL", "IPM_DATABASE_PASSWORD", "IPM_UPS_CLIENT_ID", "IPM_UPS_CLIENT_SECRET",
        "IPM_ENCRYPTION_KEYS", "IPM_WEBHOOK_SECRET", "IPM_METRICS_TOKEN",
    ]

    /// `values` with every `NAME_FILE` of `names` replaced by `NAME` and the file's content.
    static func resolve(_ values: [String: String]) throws(ConfigurationError) -> [String: String] {
        var result = values
        for name in names {
            let fileSetting = name + "_FILE"
            guard let path = values[fileSetting]?.trimmingCharacters(in: .whitespaces), !path.isEmpty else { continue }
            result[fileSetting] = nil
            if let direct = values[name], !direct.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ConfigurationError(fileSetting, "expected either \(name) or \(fileSetting), not both")
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(fileSetting, "expected a readable file, cannot read \(path)")
            }
            var value = Substring(text)
            if value.last?.isNewline == true { value = value.dropLast() }  // "\n", or "\r\n" (one Character)
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError(fileSetting, "expected the value of \(name) in \(path), the file is empty")
            }
            guard !value.contains(where: { $0.isNewline }) else {
                throw ConfigurationError(fileSetting, "expected one line in \(path), it has several")
            }
            result[name] = String(value)
        }
        return result
    }

    /// The connection string with `IPM_DATABASE_PASSWORD` added: as a `password` query
    /// parameter of a URL, as a `password='…'` keyword otherwise (an empty string — libpq's
    /// `PG*` variables — becomes the keyword alone). A string that already carries a password
    /// is refused rather than silently overridden. The result goes to libpq only, never to a log.
    static func connectionString(_ connection: String, password: String) throws(ConfigurationError) -> String {
        guard !SettingsSource.holdsSecret("IPM_DATABASE_URL", connection) else {
            throw ConfigurationError("IPM_DATABASE_PASSWORD", "expected no password in IPM_DATABASE_URL as well; give it in one place")
        }
        let lower = connection.lowercased()
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let encoded = password.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            // A fragment would end the query; libpq URLs have none.
            return connection + (connection.contains("?") ? "&" : "?") + "password=" + encoded
        }
        let quoted = "'" + password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        return connection.isEmpty ? "password=" + quoted : connection + " password=" + quoted
    }
}
