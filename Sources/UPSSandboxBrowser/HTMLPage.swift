public import Foundation

/// Just enough of an HTML page to act like a browser on a simple form.
public struct HTMLPage: Sendable {
    public let html: String

    /// `<input type="hidden" name=… value=…>`, entities decoded.
    public var hiddenFields: [String: String] {
        var fields: [String: String] = [:]
        for tag in Self.tags("input", in: html) where Self.attribute("type", of: tag)?.lowercased() == "hidden" {
            if let name = Self.attribute("name", of: tag) { fields[name] = Self.attribute("value", of: tag) ?? "" }
        }
        return fields
    }

    /// The first form's action, resolved against the page's URL.
    public func action(relativeTo url: URL) -> URL {
        let action = Self.tags("form", in: html).first.flatMap { Self.attribute("action", of: $0) } ?? url.absoluteString
        return URL(string: action, relativeTo: url)!.absoluteURL
    }

    /// The visible text, roughly: tags dropped, entities decoded.
    public var text: String {
        Self.decode(html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression))
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    static func tags(_ name: String, in html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "<\(name)\\b[^>]*>", options: [.caseInsensitive])
        let range = NSRange(html.startIndex..., in: html)
        return pattern.matches(in: html, range: range).compactMap { Range($0.range, in: html).map { String(html[$0]) } }
    }

    static func attribute(_ name: String, of tag: String) -> String? {
        let pattern = try! NSRegularExpression(pattern: "\\b\(name)\\s*=\\s*(\"([^\"]*)\"|'([^']*)')", options: [.caseInsensitive])
        guard let match = pattern.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) else { return nil }
        for group in [2, 3] {
            if let range = Range(match.range(at: group), in: tag) { return decode(String(tag[range])) }
        }
        return nil
    }

    static func decode(_ text: String) -> String {
        var out = text
        for (entity, character) in [("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out
    }
}
