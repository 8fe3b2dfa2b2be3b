import Foundation

/// Settings from the environment and, when `IPM_CONFIG_FILE` names one, a file of
/// `NAME=value` lines (`#` comments, optional quotes). The environment wins.
struct SettingsSource: Sendable {
    private let values: [String: String]

    init(environment: [String: String]) throws(ConfigurationError) {
        var merged: [String: String] = [:]
        if let path = environment["IPM_CONFIG_FILE"], !path.isEmpty {
            merged = try Self.readFile(path)
        }
        for (key, value) in environment { merged[key] = value }
        self.values = merged
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
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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
        return result
    }
}
