import Hummingbird

/// The JSON API's refusals as `application/problem+json` (`HTTPRefusal`).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard let refusal = HTTPRefusal(error) else { throw error }
            return refusal.problemResponse
        }
    }
}
