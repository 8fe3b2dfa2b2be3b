import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import IPMPostgres
import IPMTestSupport
import Synchronization
import Testing

/// Personal API tokens: made on the web and shown once, used as bearer tokens, revoked on
/// the web; and the JSON body of the paste endpoint, which names a wrong field.
@Suite("API tokens")
struct APITokenTests {
    @Test func aTokenIsShownOnceWorksAsBearerAndStopsWhenRevoked() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = try await browser.signIn(client, as: "alice")
                let created = try await browser.post(client, "/settings/api-tokens", [("csrf", csrf), ("name", "nightly report")])
                #expect(created.status == .created)
                let html = String(buffer: created.body)
                let start = try #require(html.range(of: #"value="ipm_pat_"#))
                let secret = "ipm_pat_" + html[start.upperBound...].prefix { $0 != "\"" }
                #expect(html.contains("it will not be shown again"))

                let listed = String(buffer: try await browser.get(client, "/settings/api-tokens").body)
                #expect(listed.contains("nightly report") && !listed.contains(secret))
                let stored = try await harness.database.client.query(
                    "SELECT count(*)::bigint AS n FROM api_tokens WHERE position(\(secret) in encode(token_digest, 'escape')) > 0")
                #expect(try stored[0].decode("n", as: Int.self) == 0, "the token is stored as a digest only")

                let bearer: HTTPFields = [.authorization: "Bearer \(secret)"]
                let companies = try await client.execute(uri: "/api/v1/companies", method: .get, headers: bearer)
                #expect(companies.status == .ok)
                #expect(String(buffer: companies.body).contains(#""name":"Acme""#))
                // A bearer caller needs no CSRF header for changes.
                let started = try await client.execute(uri: "/api/v1/companies/\(harness.acme.id)/opt-in", method: .post, headers: bearer)
                #expect(started.status == .created)

                let id = try #require(listed.range(of: "/settings/api-tokens/").map { String(listed[$0.upperBound...].prefix { $0 != "/" }) })
                let revoked = try await browser.post(client, "/settings/api-tokens/\(id)/revoke", [("csrf", csrf)])
                #expect(revoked.status == .seeOther)
                #expect(try await client.execute(uri: "/api/v1/companies", method: .get, headers: bearer).status == .unauthorized)
            }
        }
    }

    @Test func aMalformedOrIncompleteJSONBodyIs400NamingTheField() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = try await browser.signIn(client, as: "alice")
                var headers = browser.headers
                headers[HTTPField.Name("X-CSRF-Token")!] = csrf
                headers[.contentType] = "application/json"
                let missing = try await client.execute(uri: "/api/v1/oauth/complete", method: .post, headers: headers, body: ByteBuffer(string: "{}"))
                #expect(missing.status == .badRequest)
                #expect(String(buffer: missing.body).contains("redirectedURL"))
                let wrongType = try await client.execute(
                    uri: "/api/v1/oauth/complete", method: .post, headers: headers, body: ByteBuffer(string: #"{"redirectedURL": 7}"#))
                #expect(String(buffer: wrongType.body).contains("redirectedURL"))
                let broken = try await client.execute(uri: "/api/v1/oauth/complete", method: .post, headers: headers, body: ByteBuffer(string: "{"))
                #expect(broken.status == .badRequest)
                #expect(broken.headers[.contentType] == "application/problem+json")
                let huge = try await client.execute(
                    uri: "/api/v1/oauth/complete", method: .post, headers: headers, body: ByteBuffer(string: String(repeating: " ", count: 70_000)))
                #expect(huge.status == .contentTooLarge)

                harness.flow.failure.withLock { $0 = .alreadyUsed }
                let replayed = try await client.execute(
                    uri: "/api/v1/oauth/complete", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"redirectedURL": "http://127.0.0.1/oauth/ups/callback?code=c&state=s"}"#)
                )
                #expect(replayed.status == .badRequest)
                #expect(String(buffer: replayed.body).contains("already used"))
            }
        }
    }
}
