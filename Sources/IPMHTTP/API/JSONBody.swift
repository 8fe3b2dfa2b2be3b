import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON request body (413 beyond the context's limit) and says which field is wrong.
/// Its text must be UTF-8 without NUL (`InputText`).
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, context: WebRequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let bytes = Array(buffer.readableBytesView)
        guard InputText.isAcceptableJSON(bytes) else { throw UnreadableInput(place: .jsonBody) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch DecodingError.keyNotFound(let key, let context) {
            throw HTTPRefusal.badRequest("The JSON body is missing the field \(path(context.codingPath + [key])).")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw HTTPRefusal.badRequest("The field \(path(context.codingPath)) of the JSON body has the wrong type.")
        } catch {
            throw HTTPRefusal.badRequest("The body is not valid JSON.")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map(\.stringValue).joined(separator: ".")
    }
}
