import Foundation
import Hummingbird
import IPMDomain

/// The web's signed-in pages: without a session the browser is sent to sign in and back to
/// the page (for a form, the page the form is on); with one, the header's unread count is
/// looked up for every page.
struct SignInRequiredMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    let notifications: NotificationService

    func handle(_ request: Request, context: WebRequestContext, next: (Request, WebRequestContext) async throws -> Response) async throws -> Response
    {
        guard var admin = context.admin else {
            let back = request.method == .get ? request.uri.description : Self.pageOfForm(request.uri.path)
            return .redirect("/sign-in?next=" + WebFront.queryEscaped(back))
        }
        admin.unreadNotifications = try await NotificationPages.unreadCount(for: admin.admin, in: notifications)
        var context = context
        context.identity = .admin(admin)
        return try await next(request, context)
    }

    /// The page a form posted to `path` is on: the company's UPS API panel for opt-in and
    /// opt-out, the company page for its other forms, the list a token or notification form
    /// is on; Settings for anything else.
    static func pageOfForm(_ path: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        if parts.count >= 3, parts[0] == "companies", let id = CompanyID(parts[1]) {
            return ["opt-in", "opt-out"].contains(parts[2]) && parts.count == 3 ? "/companies/\(id)/api" : "/companies/\(id)"
        }
        if parts.starts(with: ["settings", "api-tokens"]) { return "/settings/api-tokens" }
        if parts.starts(with: ["notifications"]) { return "/notifications" }
        return "/settings"
    }
}
