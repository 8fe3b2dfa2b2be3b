import Foundation
import Hummingbird

extension Request {
    /// The query string's fields.
    var queryFields: FormFields { FormFields(encoded: uri.query ?? "") }

    /// The body's fields; anything but a form body is a bad request (10400).
    func formFields() async throws -> FormFields {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw UPSError.invalidRequest("Content-Type must be application/x-www-form-urlencoded")
        }
        var request = self
        let body = try await request.collectBody(upTo: 64 * 1024)
        return FormFields(encoded: String(buffer: body))
    }

    /// What an `Authorization: Basic …` header says; `nil` without one.
    var basicCredentials: BasicCredentials? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else { return .malformed }
        return .credentials(id: String(decoded[..<colon]), secret: String(decoded[decoded.index(after: colon)...]))
    }

    /// The token of an `Authorization: Bearer …` header.
    var bearerToken: String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}

enum BasicCredentials {
    case credentials(id: String, secret: String)
    case malformed
}
