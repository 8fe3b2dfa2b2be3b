import Foundation

/// `application/x-www-form-urlencoded` fields, as in a query string or a form body.
/// The first occurrence of a name wins; a malformed pair is ignored.
struct FormFields: Sendable {
    private var values: [String: String] = [:]

    init(encoded: some StringProtocol) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { continue }
            if values[name] == nil { values[name] = value }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// Encodes `pairs` in order, leaving out those without a value; only RFC 3986's unreserved
    /// characters stay as they are.
    static func encode(_ pairs: KeyValuePairs<String, String?>) -> String {
        pairs.compactMap { name, value in value.map { "\(escape(name))=\(escape($0))" } }.joined(separator: "&")
    }

    /// `base` with `pairs` added to its query.
    static func url(_ base: String, adding pairs: KeyValuePairs<String, String?>) -> String {
        base + (base.contains("?") ? "&" : "?") + encode(pairs)
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static func decode(_ text: some StringProtocol) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
