import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON request body (413 beyond the context's limit) and says which field is wrong.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, context: WebRequestContext) async throws -> Result<T, Problem> {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return .success(try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView)))
        } catch DecodingError.keyNotFound(let key, let context) {
            return .failure(Problem(.badRequest, "The JSON body is missing the field \(path(context.codingPath + [key]))."))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            return .failure(Problem(.badRequest, "The field \(path(context.codingPath)) of the JSON body has the wrong type."))
        } catch {
            return .failure(Problem(.badRequest, "The body is not valid JSON."))
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map(\.stringValue).joined(separator: ".")
    }
}
