import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import IPMPostgres
import NIOCore
import Testing

/// Who may start an opt-in is decided once, by the opt-in engine (DECISIONS.md 53): the web's
/// form and the API's route only pass the caller on. A viewer is refused 403 and an outsider
/// 404 through both fronts, and nothing is started.
@Suite("Opt-in routes on the engine")
struct OptInRouteTests {
    @Test("a viewer's and an outsider's opt-in is refused by the engine through the web and the API; nothing is started")
    func refusedByTheEngine() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            let victor = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("victor")), password: try Password("correct horse battery"))
            _ = try await engine.services.memberships.grant(.viewer, to: victor.id, in: engine.company.id, by: .operator("test"))
            _ = try await engine.services.admins.create(
                try NewAdmin(signInName: try SignInName("olga")), password: try Password("correct horse battery"))
            let path = "/companies/\(harness.companyID)/opt-in"
            try await harness.test { client in
                for (name, status) in [("victor", HTTPResponse.Status.forbidden), ("olga", .notFound)] {
                    let cookie = try await harness.browserCookie(name)
                    let settings = try await client.execute(uri: "/settings", method: .get, headers: cookie, body: nil)
                    let csrf = try #require(NotificationPageTests.csrf(settings))
                    var form = cookie
                    form[.contentType] = "application/x-www-form-urlencoded"
                    let page = try await client.execute(uri: path, method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)"))
                    #expect(page.status == status, "\(name) on the web: \(page.status)")
                    #expect(page.headers[.location] == nil, "not sent to UPS")

                    let issued = try await harness.sessions.signIn(
                        name, password: try Password("correct horse battery"), clientAddress: nil, kind: .cli)
                    let api = try await client.execute(
                        uri: "/api/v1" + path, method: .post, headers: HTTPHarness.bearer(issued.token.value), body: nil)
                    #expect(api.status == status, "\(name) in the API: \(api.status)")
                    #expect(api.headers[.contentType] == "application/problem+json")
                }
                // alice, the company's admin, is sent on to UPS by the same routes.
                let cookie = try await harness.browserCookie("alice")
                let settings = try await client.execute(uri: "/settings", method: .get, headers: cookie, body: nil)
                var form = cookie
                form[.contentType] = "application/x-www-form-urlencoded"
                let started = try await client.execute(
                    uri: path, method: .post, headers: form, body: ByteBuffer(string: "csrf=\(try #require(NotificationPageTests.csrf(settings)))"))
                #expect(started.status == .seeOther)
            }
            let rows = try await engine.database.client.query("SELECT count(*)::bigint AS n FROM ups_authorization_requests")
            #expect(try rows.first?.decode("n", as: Int.self) == 1, "only alice's opt-in was started")
        }
    }
}
