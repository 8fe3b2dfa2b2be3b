import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import Testing

/// The web's Notifications page on the real engine: an opt-in is listed for the company's
/// admins and viewers, counted in the header until marked read.
@Suite("Notifications page")
struct NotificationPageTests {
    static func csrf(_ response: TestResponse) -> String? {
        let html = String(buffer: response.body)
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func markAllRead(_ client: any TestClientProtocol, cookie: HTTPFields, csrf: String) async throws -> TestResponse {
        var headers = cookie
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: "/notifications/read", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)"))
    }

    @Test("opt in: admins and viewers see it, newest first, with an unread count; mark all as read needs the form's CSRF token")
    func optInIsListedAndMarkedRead() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            let victor = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("victor")), password: try Password("correct horse battery"))
            _ = try await engine.services.memberships.grant(.viewer, to: victor.id, in: engine.company.id, by: .operator("test"))
            _ = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("olga")), password: try Password("correct horse battery"))
            let alice = try await harness.browserCookie("alice")
            let viewer = try await harness.browserCookie("victor")
            let outsider = try await harness.browserCookie("olga")
            try await harness.test { client in
                let empty = try await client.execute(uri: "/notifications", method: .get, headers: alice, body: nil)
                #expect(empty.status == .ok)
                #expect(String(buffer: empty.body).contains("There are no notifications"))
                #expect(!String(buffer: empty.body).contains(#"class="badge""#))

                try await engine.optInFully()
                _ = try await engine.optInFully()  // a second opt-in: two notifications, the newest first
                let settings = String(buffer: try await client.execute(uri: "/settings", method: .get, headers: alice, body: nil).body)
                #expect(
                    settings.contains(
                        #"<a href="/notifications" class="notifications">Notifications <span class="badge" aria-label="2 unread">2</span></a>"#))
                let listed = try await client.execute(uri: "/notifications", method: .get, headers: alice, body: nil)
                let html = String(buffer: listed.body)
                #expect(html.contains("Acme Logistics") && html.contains("Authenticated with UPS OAuth"))
                #expect(html.components(separatedBy: "<strong>New:</strong>").count == 3)
                #expect(html.contains("Mark all as read"))
                #expect(
                    String(buffer: try await client.execute(uri: "/notifications", method: .get, headers: viewer, body: nil).body).contains(
                        "Authenticated with UPS OAuth"))
                #expect(
                    String(buffer: try await client.execute(uri: "/notifications", method: .get, headers: outsider, body: nil).body).contains(
                        "There are no notifications"))

                let forged = try await Self.markAllRead(client, cookie: alice, csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(
                    String(buffer: try await client.execute(uri: "/notifications", method: .get, headers: alice, body: nil).body).contains("New:"))

                let read = try await Self.markAllRead(client, cookie: alice, csrf: try #require(Self.csrf(listed)))
                #expect(read.status == .seeOther)
                let after = String(buffer: try await client.execute(uri: "/notifications", method: .get, headers: alice, body: nil).body)
                #expect(!after.contains("New:") && !after.contains(#"class="badge""#) && !after.contains("Mark all as read"))
                #expect(after.contains("Authenticated with UPS OAuth"))
                // Read for alice only: the viewer still has them unread.
                #expect(
                    String(buffer: try await client.execute(uri: "/notifications", method: .get, headers: viewer, body: nil).body).contains(
                        #"aria-label="2 unread""#))
            }
        }
    }

    @Test("signed out, the page sends the browser to sign in")
    func needsSignIn() async throws {
        try await HTTPHarness.run { harness in
            try await harness.test { client in
                let response = try await client.execute(uri: "/notifications", method: .get, headers: [:], body: nil)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/sign-in?next=/notifications")
            }
        }
    }
}
