import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// Access that used to outlive a password reset or a disable, and personal API tokens that
/// never expired, against a real `ipm-server`.
@Suite("Hostile: sessions and API tokens after set-password, disable and expiry", .serialized)
struct HostileCredentialTests {
    /// Alice signed in three ways: a browser (cookie), a terminal (session token) and a
    /// personal API token made with that terminal session.
    private struct Held {
        let cookie: String
        let session: String
        let apiToken: String
    }

    private func signInEveryWay(_ server: AuthAttackServer, password: String) async throws -> Held {
        let cookie = try #require(try await server.webSignIn("alice", password))
        let session = try #require(try await server.signIn("alice", password).token)
        let made = try await server.send(.POST, "/api/v1/api-tokens", bearer: session, json: ["name": "nightly report"])
        #expect(made.status == 201, "\(made.body)")
        let apiToken = try #require(made.json["token"] as? String)
        let held = Held(cookie: cookie, session: session, apiToken: apiToken)
        #expect(try await works(server, held) == [true, true, true])
        return held
    }

    /// Whether the cookie, the session token and the API token each still work.
    private func works(_ server: AuthAttackServer, _ held: Held) async throws -> [Bool] {
        [
            try await server.webSessionWorks(held.cookie),
            try await server.send(.GET, "/api/v1/me", bearer: held.session).status == 200,
            try await server.send(.GET, "/api/v1/companies", bearer: held.apiToken).status == 200,
        ]
    }

    @Test("ipm admin set-password revokes every session and API token of that admin; the new password works, the old does not")
    func setPasswordRevokesEverything() async throws {
        try await AuthAttackServer.run { server in
            let held = try await signInEveryWay(server, password: AdminCLITests.passwords["alice"]!)
            let victor = try #require(try await server.signIn("victor", AdminCLITests.passwords["victor"]!).token)

            let changed = try await server.operatorCommand(["admin", "set-password", "alice", "--password-stdin"], stdin: "a brand new password\n")
            #expect(changed.status == 0, "\(changed.stderr)")
            #expect(changed.stdout.contains("Every session and API token of alice was revoked."))
            #expect(try await works(server, held) == [false, false, false])
            #expect(
                try await server.count(
                    """
                    SELECT count(*)::bigint AS n FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
                    WHERE a.sign_in_name = 'alice' AND s.revoked_at IS NULL
                    """) == 0)
            #expect(try await server.count("SELECT count(*)::bigint AS n FROM api_tokens WHERE revoked_at IS NULL") == 0)
            // Nobody else was touched.
            #expect(try await server.send(.GET, "/api/v1/me", bearer: victor).status == 200)
            #expect(try await server.signIn("alice", AdminCLITests.passwords["alice"]!).answer.status == 401)
            #expect(try await server.signIn("alice", "a brand new password").token != nil)
            try await server.expectStillUp()
        }
    }

    @Test("disable revokes every session and API token for good: enable brings none back")
    func disableThenEnableBringsNothingBack() async throws {
        try await AuthAttackServer.run { server in
            let held = try await signInEveryWay(server, password: AdminCLITests.passwords["alice"]!)
            #expect(try await server.operatorCommand(["admin", "disable", "alice"]).status == 0)
            #expect(try await works(server, held) == [false, false, false])
            #expect(try await server.operatorCommand(["admin", "enable", "alice"]).status == 0)
            #expect(try await works(server, held) == [false, false, false], "enable brought revoked access back")
            #expect(try await server.count("SELECT count(*)::bigint AS n FROM admin_sessions WHERE revoked_at IS NULL") == 0)
            // Alice signs in afresh, as anyone would.
            #expect(try await server.signIn("alice", AdminCLITests.passwords["alice"]!).token != nil)
            try await server.expectStillUp()
        }
    }

    @Test("API tokens expire: a lifetime beyond IPM_API_TOKEN_MAX_DAYS is refused, an expired token is 401, last use is shown")
    func apiTokensExpire() async throws {
        try await AuthAttackServer.run(settings: ["IPM_API_TOKEN_DAYS": "7", "IPM_API_TOKEN_MAX_DAYS": "30"]) { server in
            let session = try #require(try await server.signIn("alice", AdminCLITests.passwords["alice"]!).token)
            for days in [31, 0, -1, 100_000] {
                let refused = try await server.send(.POST, "/api/v1/api-tokens", bearer: session, json: ["name": "too long", "days": days])
                #expect(refused.status == 400, "\(days): \(refused.body)")
            }
            #expect(try await server.count("SELECT count(*)::bigint AS n FROM api_tokens") == 0, "a refused token was stored")

            let standard = try await server.send(.POST, "/api/v1/api-tokens", bearer: session, json: ["name": "default"])
            let month = try await server.send(.POST, "/api/v1/api-tokens", bearer: session, json: ["name": "month", "days": 30])
            #expect(standard.status == 201 && month.status == 201, "\(standard.body) \(month.body)")
            let expiresAt = { (answer: AuthAttackServer.Answer) -> Date? in
                ((answer.json["apiToken"] as? [String: Any])?["expiresAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) }
            }
            let standardExpiry = try #require(expiresAt(standard))
            let monthExpiry = try #require(expiresAt(month))
            #expect(abs(standardExpiry.timeIntervalSinceNow - 7 * 86_400) < 120)
            #expect(abs(monthExpiry.timeIntervalSinceNow - 30 * 86_400) < 120)

            // Used once: the list shows when; the page shows expiry and last use too.
            let token = try #require(month.json["token"] as? String)
            #expect(try await server.send(.GET, "/api/v1/me", bearer: token).status == 200)
            let list = try await server.send(.GET, "/api/v1/api-tokens", bearer: session)
            let listed = try #require(list.json["tokens"] as? [[String: Any]])
            #expect(listed.count == 2)
            #expect(listed.first { $0["name"] as? String == "month" }?["lastUsedAt"] != nil)
            #expect(listed.first { $0["name"] as? String == "default" }?["lastUsedAt"] == nil)
            #expect(list.json["maxDays"] as? Int == 30 && list.json["defaultDays"] as? Int == 7)

            // Its time runs out: refused, and listed as expired.
            _ = try await server.world.database.client.execute(
                """
                UPDATE api_tokens SET created_at = now() - interval '31 days', expires_at = now() - interval '1 second' WHERE name = 'month'
                """)
            let expired = try await server.send(.GET, "/api/v1/me", bearer: token)
            #expect(expired.status == 401, "\(expired.body)")
            let relisted = try #require(try await server.send(.GET, "/api/v1/api-tokens", bearer: session).json["tokens"] as? [[String: Any]])
            #expect(relisted.first { $0["name"] as? String == "month" }?["expired"] as? Bool == true)

            // The web form offers the same choice and the same limit.
            let cookie = try #require(try await server.webSignIn("alice", AdminCLITests.passwords["alice"]!))
            let page = try await server.send(.GET, "/settings/api-tokens", headers: [("Cookie", "ipm_session=\(cookie)")])
            #expect(page.body.contains(#"name="days" type="number" min="1" max="30" value="7""#), "\(page.body)")
            #expect(page.body.contains("(expired)"))
            let csrf = try #require(AuthAttackServer.hiddenField("csrf", in: page.body))
            let tooLong = try await server.send(
                .POST, "/settings/api-tokens", headers: [("Cookie", "ipm_session=\(cookie)")],
                form: [("csrf", csrf), ("name", "web"), ("days", "31")]
            )
            #expect(tooLong.status == 400)
            #expect(tooLong.body.contains("Token lifetime must be a whole number of days from 1 to 30."))
            let fine = try await server.send(
                .POST, "/settings/api-tokens", headers: [("Cookie", "ipm_session=\(cookie)")], form: [("csrf", csrf), ("name", "web"), ("days", "3")]
            )
            #expect(fine.status == 201)
            #expect(
                try await server.count(
                    "SELECT count(*)::bigint AS n FROM api_tokens WHERE name = 'web' AND expires_at < now() + interval '3 days 1 minute'") == 1)
            try await server.expectStillUp()
        }
    }
}
