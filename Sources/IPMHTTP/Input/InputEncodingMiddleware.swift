import Hummingbird

/// Refuses a request whose path or query string percent-decodes to text that is not UTF-8
/// or holds a NUL (`InputText`), before any route reads a parameter of it. Bodies are checked
/// where they are decoded (`PostedForm`, `JSONBody`).
struct InputEncodingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard InputText.percentDecoded(request.uri.path.utf8) != nil else { throw UnreadableInput(place: .path) }
        if let query = request.uri.query, InputText.percentDecoded(query.utf8) == nil { throw UnreadableInput(place: .query) }
        return try await next(request, context)
    }
}
