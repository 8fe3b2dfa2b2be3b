import Foundation

/// `--json` on listings: stable keys, ISO-8601 times, for scripts.
enum JSONOutput {
    static func render(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Date {
    /// `2026-11-29T03:15:00Z`, for tables.
    var iso8601: String { formatted(.iso8601) }
}
