import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Testing

/// Sign-up by invitation: a company admin creates a link, whoever opens it joins with the
/// invited role. Against a real PostgreSQL.
@Suite("Invitations and sign-up")
struct InvitationTests {
    static let newcomerPassword = "a long enough secret"

    /// Alice (admin of Acme) creates an invitation; returns the page and the token in its link.
    static func invite(_ client: any TestClientProtocol, _ harness: WebHarness, role: String = "viewer") async throws -> (TestResponse, String) {
        var alice = Browser()
        let csrf = try await alice.signIn(client, as: "alice")
        let created = try await alice.post(client, "/companies/\(harness.acme.id)/invitations", [("csrf", csrf), ("role", role)])
        let html = String(buffer: created.body)
        let token = try #require(html.firstMatch(of: /ipm_inv_[A-Za-z0-9_\-]+/).map { String($0.output) })
        return (created, token)
    }

    static func signUp(
        _ client: any TestClientProtocol, token: String, name: String, password: String = newcomerPassword, csrf: String? = nil,
        browser: inout Browser
    ) async throws -> TestResponse {
        let page = try await browser.get(client, "/signup?invitation=\(token)")
        return try await browser.post(
            client, "/signup",
            [
                ("csrf", csrf ?? Browser.csrf(in: page) ?? ""), ("invitation", token), ("name", name),
                ("password", password), ("passwordConfirmation", password), ("displayName", "Dana Newcomer"), ("email", ""),
            ])
    }

    static func count(_ harness: WebHarness, _ sql: SQL) async throws -> Int {
        try await harness.database.client.query(sql).first?.decode("n", as: Int.self) ?? -1
    }

    static func adminCount(_ harness: WebHarness) async throws -> Int {
        try await count(harness, "SELECT count(*)::bigint AS n FROM admins")
    }

    @Test func theSignInPageOffersSignUpWhichExplainsInvitations() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let signIn = String(buffer: try await browser.get(client, "/sign-in").body)
                #expect(signIn.contains(#"Don't have an account? <a href="/signup">Sign up now</a>"#))
                let signUp = try await browser.get(client, "/signup")
                #expect(signUp.status == .ok)
                let html = String(buffer: signUp.body)
                #expect(html.contains("Accounts are created by invitation") && html.contains("ipm admin create"))
            }
        }
    }

    @Test func anAdminInvitesAndTheNewcomerJoinsWithTheInvitedRoleSignedInOnce() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let admins = try await Self.adminCount(harness)
                let (created, token) = try await Self.invite(client, harness, role: "viewer")
                #expect(created.status == .created)
                let html = String(buffer: created.body)
                #expect(html.contains("https://ipm.example/signup?invitation=\(token)"))
                #expect(html.contains("Pending invitations") && html.contains("Revoke"))
                #expect(token.count >= "ipm_inv_".count + 43)  // 32 random bytes

                // Only the digest is stored.
                let digest = Array(SHA256.hash(data: Array(token.utf8)))
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations WHERE token_digest = \(digest)") == 1)
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations i WHERE position(\(token) in i::text) > 0") == 0)

                var dana = Browser()
                let form = try await dana.get(client, "/signup?invitation=\(token)")
                #expect(form.status == .ok)
                let formHTML = String(buffer: form.body)
                #expect(formHTML.contains("alice invited you to join <strong>Acme</strong> as viewer"))
                let joined = try await Self.signUp(client, token: token, name: "dana", browser: &dana)
                #expect(joined.status == .seeOther)
                #expect(joined.headers[.location] == "/companies/\(harness.acme.id)")
                #expect(dana.cookies["__Host-ipm_session"] != nil)
                let company = try await dana.get(client, "/companies/\(harness.acme.id)")
                #expect(company.status == .ok)
                let companyHTML = String(buffer: company.body)
                #expect(companyHTML.contains("<dd>viewer</dd>") && companyHTML.contains("Dana Newcomer"))
                #expect(!companyHTML.contains("Create invitation link"))
                #expect(try await Self.adminCount(harness) == admins + 1)

                // The audit trail says who invited and who joined.
                let activity = String(buffer: try await dana.get(client, "/companies/\(harness.acme.id)/activity").body)
                #expect(activity.contains("Invitation created") && activity.contains("alice invited someone to join as viewer"))
                #expect(activity.contains("dana signed up and joined as viewer on the invitation of alice"))

                // The link works once.
                var eve = Browser()
                let again = try await eve.get(client, "/signup?invitation=\(token)")
                #expect(again.status == .gone)
                #expect(String(buffer: again.body).contains("already been used"))
                let reused = try await Self.signUp(client, token: token, name: "eve", csrf: "whatever", browser: &eve)
                #expect(reused.status == .gone)
                #expect(eve.cookies["__Host-ipm_session"] == nil)
                #expect(try await Self.adminCount(harness) == admins + 1)
            }
        }
    }

    @Test func anInvitedAdminGetsTheAdminRole() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let (_, token) = try await Self.invite(client, harness, role: "admin")
                var dana = Browser()
                #expect(try await Self.signUp(client, token: token, name: "dana", browser: &dana).status == .seeOther)
                let page = String(buffer: try await dana.get(client, "/companies/\(harness.acme.id)").body)
                #expect(page.contains("<dd>admin</dd>") && page.contains("Create invitation link"))
            }
        }
    }

    @Test func aViewerSeesNoInvitationControlsAndCannotInvite() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var victor = Browser()
                let csrf = try await victor.signIn(client, as: "victor")
                let page = String(buffer: try await victor.get(client, "/companies/\(harness.acme.id)").body)
                #expect(!page.contains("Create invitation link") && !page.contains("Pending invitations"))
                let refused = try await victor.post(client, "/companies/\(harness.acme.id)/invitations", [("csrf", csrf), ("role", "admin")])
                #expect(refused.status == .forbidden)
                #expect(!String(buffer: refused.body).contains("ipm_inv_"))
                // Nor in a company they do not belong to.
                var alice = Browser()
                let aliceCSRF = try await alice.signIn(client, as: "alice")
                let foreign = try await alice.post(client, "/companies/\(harness.other.id)/invitations", [("csrf", aliceCSRF), ("role", "admin")])
                #expect(foreign.status == .notFound)
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations") == 0)
            }
        }
    }

    @Test func formsWithoutTheirCSRFTokenChangeNothing() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var alice = Browser()
                _ = try await alice.signIn(client, as: "alice")
                let forged = try await alice.post(client, "/companies/\(harness.acme.id)/invitations", [("role", "admin")])
                #expect(forged.status == .forbidden)
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations") == 0)

                let admins = try await Self.adminCount(harness)
                let (_, token) = try await Self.invite(client, harness)
                var dana = Browser()
                let noCSRF = try await Self.signUp(client, token: token, name: "dana", csrf: "forged", browser: &dana)
                #expect(noCSRF.status == .forbidden)
                #expect(String(buffer: noCSRF.body).contains("This sign-up form has expired"))
                #expect(dana.cookies["__Host-ipm_session"] == nil)
                #expect(try await Self.adminCount(harness) == admins)
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations WHERE accepted_at IS NULL") == 1)

                // Revoking needs the token too.
                let id = try #require(try await harness.database.client.query("SELECT id FROM invitations").first?.decode("id", as: UUID.self))
                let revoke = try await alice.post(client, "/companies/\(harness.acme.id)/invitations/\(id.uuidString.lowercased())/revoke", [])
                #expect(revoke.status == .forbidden)
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations WHERE revoked_at IS NULL") == 1)
            }
        }
    }

    @Test func aTakenOrInvalidSignInNameIsRefusedAndTheInvitationStaysUsable() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let admins = try await Self.adminCount(harness)
                let (_, token) = try await Self.invite(client, harness)
                var dana = Browser()
                let taken = try await Self.signUp(client, token: token, name: "ALICE", browser: &dana)
                #expect(taken.status == .conflict)
                #expect(String(buffer: taken.body).contains("This sign-in name cannot be used. Please choose another one."))
                #expect(dana.cookies["__Host-ipm_session"] == nil)
                let invalid = try await Self.signUp(client, token: token, name: "dana smith", browser: &dana)
                #expect(invalid.status == .badRequest)
                #expect(String(buffer: invalid.body).contains("Sign-in name may contain only"))
                let short = try await Self.signUp(client, token: token, name: "dana", password: "short", browser: &dana)
                #expect(short.status == .badRequest)
                #expect(String(buffer: short.body).contains("Password must be at least 10 characters"))
                #expect(try await Self.adminCount(harness) == admins)
                #expect(try await Self.count(harness, "SELECT count(*)::bigint AS n FROM invitations WHERE accepted_at IS NULL") == 1)
                #expect(
                    try await Self.count(harness, "SELECT count(*)::bigint AS n FROM memberships WHERE company_id = \(harness.acme.id.rawValue)") == 2
                )

                let joined = try await Self.signUp(client, token: token, name: "dana", browser: &dana)
                #expect(joined.status == .seeOther)
                #expect(try await Self.adminCount(harness) == admins + 1)
            }
        }
    }

    @Test func expiredRevokedAndUnknownInvitationsAreRefusedAndChangeNothing() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let admins = try await Self.adminCount(harness)
                let (_, expired) = try await Self.invite(client, harness)
                try await harness.database.client.execute("UPDATE invitations SET expires_at = now() - interval '1 minute'")
                let (_, revoked) = try await Self.invite(client, harness)

                var alice = Browser()
                let csrf = try await alice.signIn(client, as: "alice")
                let page = String(buffer: try await alice.get(client, "/companies/\(harness.acme.id)").body)
                #expect(page.matches(of: /aria-label="Revoke the viewer invitation/).count == 1)  // the expired one is no longer pending
                let action = try #require(page.firstMatch(of: /\/companies\/[0-9a-f\-]+\/invitations\/[0-9a-f\-]+\/revoke/).map { String($0.output) })
                let revoke = try await alice.post(client, action, [("csrf", csrf)])
                #expect(revoke.status == .seeOther)
                #expect(!String(buffer: try await alice.get(client, "/companies/\(harness.acme.id)").body).contains("Revoke the viewer invitation"))
                let activity = String(buffer: try await alice.get(client, "/companies/\(harness.acme.id)/activity").body)
                #expect(activity.contains("Invitation revoked"))

                for (token, status, words) in [
                    (expired, HTTPResponse.Status.gone, "has expired"), (revoked, .gone, "was revoked"),
                    ("ipm_inv_" + String(repeating: "A", count: 43), .notFound, "not valid"), ("nonsense", .notFound, "not valid"),
                ] {
                    var someone = Browser()
                    let shown = try await someone.get(client, "/signup?invitation=\(token)")
                    #expect(shown.status == status)
                    #expect(String(buffer: shown.body).contains(words))
                    let posted = try await Self.signUp(client, token: token, name: "mallory", csrf: "x", browser: &someone)
                    #expect(posted.status == status)
                    #expect(someone.cookies["__Host-ipm_session"] == nil)
                }
                #expect(try await Self.adminCount(harness) == admins)
            }
        }
    }
}
