import HTTPTypes
public import Hummingbird

/// Adds `Strict-Transport-Security` to every answer of an https deployment (errors
/// included), so a browser that has been here once never tries plain http again.
public struct StrictTransportSecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    let value: String

    /// `WebSettings.strictTransportSecurity`; the router gets this middleware only when it is set.
    public init(value: String) {
        self.value = value
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.strictTransportSecurity] = value
        return response
    }
}
