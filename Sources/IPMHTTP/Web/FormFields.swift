import Foundation
import NIOCore
import Hummingbird

/// An `application/x-www-form-urlencoded` body as name → value (the last one wins).
struct FormFields: Sendable {
    private let values: [String: String]

    subscript(_ name: String) -> String? { values[name] }

    init(encoded: String) {
        var values: [String: String] = [:]
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0]), value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name] = value
        }
        self.values = values
    }

    /// Reads the body up to the context's limit (413 beyond it).
    static func read(_ request: Request, context: WebRequestContext) async throws -> FormFields {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return FormFields(encoded: String(buffer: buffer))
    }

    private static func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }
}
