import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Testing

/// The API a terminal signs in with (`ipm --server`): sessions of kind `cli`, throttled like
/// the web's sign-in, whoami, sign-out, and the caller's notifications.
@Suite("JSON API: account and notifications")
struct AccountAPITests {
    private static func signIn(_ client: any TestClientProtocol, _ name: String, _ password: String) async throws -> TestResponse {
        let body = try JSONSerialization.data(withJSONObject: ["signInName": name, "password": password])
        return try await client.execute(
            uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
    }

    private static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
    }

    private static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test func aTerminalSignsInAsksWhoItIsAndSignsOut() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let wrong = try await Self.signIn(client, "alice", "not the password")
                let unknown = try await Self.signIn(client, "nobody", "not the password")
                #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
                #expect(wrong.headers[.contentType] == "application/problem+json")
                #expect(try Self.object(wrong)["detail"] as? String == "The sign-in name or password is not correct.")
                #expect(String(buffer: wrong.body) == String(buffer: unknown.body), "no hint which was wrong")
                let junk = try await client.execute(
                    uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
                #expect(junk.status == .badRequest)
                #expect(try Self.object(junk)["detail"] as? String == "The JSON body is missing the field signInName.")

                let created = try await Self.signIn(client, "alice", WebHarness.password)
                #expect(created.status == .created)
                #expect(created.headers[.cacheControl] == "no-store")
                let body = try Self.object(created)
                let token = try #require(body["token"] as? String)
                #expect((body["admin"] as? [String: Any])?["signInName"] as? String == "alice")
                #expect((body["session"] as? [String: Any])?["kind"] as? String == "cli")
                let rows = try await harness.database.client.query("SELECT kind, row_to_json(s)::text AS row FROM admin_sessions s")
                #expect(try rows.map { try $0.decode("kind", as: String.self) } == ["cli"])
                #expect(try !rows[0].decode("row", as: String.self).contains(token), "only a digest is stored")

                let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: Self.bearer(token))
                #expect(me.status == .ok)
                let whoami = try Self.object(me)
                #expect((whoami["admin"] as? [String: Any])?["displayName"] as? String == "Alice Admin")
                #expect((whoami["session"] as? [String: Any])?["expiresAt"] is String)
                #expect(whoami["publicURL"] as? String == "https://ipm.example")
                #expect(try await client.execute(uri: "/api/v1/me", method: .get).status == .unauthorized)

                let signedOut = try await client.execute(uri: "/api/v1/sessions/current", method: .delete, headers: Self.bearer(token))
                #expect(signedOut.status == .noContent)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: Self.bearer(token)).status == .unauthorized)
                #expect(
                    try await client.execute(uri: "/api/v1/sessions/current", method: .delete, headers: Self.bearer(token)).status == .unauthorized)

                // A disabled admin's session token stops at once.
                let again = try Self.object(try await Self.signIn(client, "victor", WebHarness.password))["token"] as? String ?? ""
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: Self.bearer(again)).status == .ok)
                let admins = try PostgresAdminRepository(client: harness.database.client, hasher: BcryptPasswordHasher(cost: 4), clock: SystemClock())
                let victor = try #require(try await admins.find(try SignInName("victor")))
                try await admins.setDisabled(victor.id, true)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: Self.bearer(again)).status == .unauthorized)
                let disabled = try await Self.signIn(client, "victor", WebHarness.password)
                // ...and its sign-in reads exactly like a wrong password.
                #expect(disabled.status == .unauthorized)
                #expect(try Self.object(disabled)["detail"] as? String == "The sign-in name or password is not correct.")
            }
        }
    }

    @Test func failedSignInsAreThrottledWithRetryAfter() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                for _ in 0..<5 {
                    #expect(try await Self.signIn(client, "alice", "wrong password").status == .unauthorized)
                }
                // Counted in the database, so every instance refuses; the right password too.
                let throttled = try await Self.signIn(client, "alice", WebHarness.password)
                #expect(throttled.status == .tooManyRequests)
                let retryAfter = try #require(throttled.headers[.retryAfter].flatMap { Int($0) })
                #expect(retryAfter > 0 && retryAfter <= 15 * 60)
                #expect((try Self.object(throttled)["detail"] as? String)?.hasPrefix("Too many failed sign-ins.") == true)
                let stored = try await harness.database.client.query("SELECT count(*)::bigint AS n FROM admin_sessions")
                #expect(try stored[0].decode("n", as: Int.self) == 0)
            }
        }
    }

    @Test func notificationsAreTheCallersAndMarkedReadPerAdmin() async throws {
        try await WebHarness.with { harness in
            // What an opt-out of Acme and one of Other Co would have written (the repository
            // writes these in the transition's transaction; NotificationTests covers that).
            for (company, minutes) in [(harness.acme, 2.0), (harness.other, 1.0)] {
                try await harness.database.client.execute(
                    """
                    INSERT INTO notifications (id, company_id, kind, message, occurred_at)
                    VALUES (\(UUID()), \(company.id.rawValue), 'opted_out', 'alice opted out of UPS Online Tools (OAuth).', \(Date().addingTimeInterval(-minutes * 60)))
                    """)
            }
            try await harness.test { client in
                #expect(try await client.execute(uri: "/api/v1/notifications", method: .get).status == .unauthorized)
                let alice = try Self.object(try await Self.signIn(client, "alice", WebHarness.password))["token"] as? String ?? ""
                let victor = try Self.object(try await Self.signIn(client, "victor", WebHarness.password))["token"] as? String ?? ""

                let list = try Self.object(try await client.execute(uri: "/api/v1/notifications", method: .get, headers: Self.bearer(alice)))
                let items = try #require(list["notifications"] as? [[String: Any]])
                #expect(items.map { $0["companyName"] as? String } == ["Acme"], "Other Co's is not hers")
                #expect(items.first?["kind"] as? String == "opted_out")
                #expect(items.first?["read"] as? Bool == false)
                #expect(items.first?["companyID"] as? String == harness.acme.id.description)

                let marked = try await client.execute(uri: "/api/v1/notifications/read", method: .post, headers: Self.bearer(alice))
                #expect(try Self.object(marked)["marked"] as? Int == 1)
                let unread = try Self.object(
                    try await client.execute(uri: "/api/v1/notifications?unread=true", method: .get, headers: Self.bearer(alice)))
                #expect((unread["notifications"] as? [Any])?.isEmpty == true)
                let all = try Self.object(try await client.execute(uri: "/api/v1/notifications?limit=1", method: .get, headers: Self.bearer(alice)))
                #expect((all["notifications"] as? [[String: Any]])?.first?["read"] as? Bool == true)
                let victors = try Self.object(
                    try await client.execute(uri: "/api/v1/notifications?unread=true", method: .get, headers: Self.bearer(victor)))
                #expect((victors["notifications"] as? [Any])?.count == 1, "read is per admin")

                for query in ["limit=0", "limit=501", "limit=ten", "unread=maybe"] {
                    let bad = try await client.execute(uri: "/api/v1/notifications?\(query)", method: .get, headers: Self.bearer(alice))
                    #expect(bad.status == .badRequest, "\(query)")
                    #expect(bad.headers[.contentType] == "application/problem+json")
                }
                // A cookie caller needs the CSRF header to mark read, like every change.
                var browser = Browser()
                _ = try await browser.signIn(client, as: "victor")
                let forged = try await client.execute(uri: "/api/v1/notifications/read", method: .post, headers: browser.headers)
                #expect(forged.status == .forbidden)
            }
        }
    }
}
