import Hummingbird

/// The web's refusals as a short page (`HTTPRefusal`), with the signed-in admin's header.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard let refusal = HTTPRefusal(error) else { throw error }
            var response = pages.message(
                refusal.title, refusal.pageText ?? refusal.detail, link: "/settings", linkText: "Back to Settings", signedIn: context.admin,
                status: refusal.status
            )
            response.headers.append(contentsOf: refusal.headers)
            return response
        }
    }
}
