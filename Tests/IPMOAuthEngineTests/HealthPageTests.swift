import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import NIOCore
import Testing
import UPSSandbox

/// Connection health on the HTTP front, on the real engine: the web's company page and list,
/// the JSON API, the notifications page, and the token API for a blocked merchant.
@Suite("Connection health on the web and the API")
struct HealthPageTests {
    @Test("a blocked company: its page, the list and the API show health; the token API answers 503 with Retry-After")
    func blockedCompanyEverywhere() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            try await engine.optInFully()
            try engine.sandbox.setFaults(FaultConfiguration(blockedMerchant: true))
            #expect(await engine.refresher.refresh(engine.company.id, force: true).metricLabel == "blocked")
            let alice = try await harness.browserCookie("alice")
            let service = try await harness.serviceToken([.accessToken, .proxy])
            try await harness.test { client in
                let page = String(
                    buffer: try await client.execute(uri: "/companies/\(harness.companyID)", method: .get, headers: alice, body: nil).body)
                #expect(page.contains(#"<span class="status status-blocked">Blocked by UPS</span>"#))
                #expect(page.contains("Failed refreshes in a row</dt><dd>1</dd>"))
                #expect(page.contains("Next attempt (UTC)"))
                #expect(page.contains("Blocked Merchant"))
                let list = String(buffer: try await client.execute(uri: "/settings", method: .get, headers: alice, body: nil).body)
                #expect(list.contains(#"<span class="health health-blocked">Blocked by UPS</span>"#))
                let panel = String(
                    buffer: try await client.execute(uri: "/companies/\(harness.companyID)/api", method: .get, headers: alice, body: nil).body)
                #expect(
                    panel.contains("OPT-OUT") && panel.contains("IPM retries by itself (next attempt 20"),
                    "a blocked company can still opt out: \(panel)")
                #expect(!panel.contains(#"href="/companies/\#(harness.companyID)/api?step=method""#), "opting in again is not offered as the fix")

                let api = try await client.execute(uri: "/api/v1/companies?status=failing", method: .get, headers: alice, body: nil)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: api.body).utf8)) as? [String: Any])
                let company = try #require((json["companies"] as? [[String: Any]])?.first)
                #expect(company["status"] as? String == "blocked")
                #expect(company["failing"] as? Bool == true)
                #expect(company["consecutiveFailures"] as? Int == 1)
                #expect((company["blockedReason"] as? String)?.contains("Blocked Merchant") == true)
                #expect(company["nextAttemptAt"] is String)
                let none = try await client.execute(uri: "/api/v1/companies?status=authenticated", method: .get, headers: alice, body: nil)
                #expect(String(buffer: none.body) == #"{"companies":[]}"#)
                #expect(try await client.execute(uri: "/api/v1/companies?status=nope", method: .get, headers: alice, body: nil).status == .badRequest)

                let token = try await HTTPHarness.accessToken(client, company: harness.companyID, token: service)
                #expect(token.status == .serviceUnavailable)
                #expect(String(buffer: token.body).contains("UPS has blocked this merchant"))
                let retryAfter = try #require(token.headers[.retryAfter].flatMap { Int($0) })
                #expect((3000...3600).contains(retryAfter), "until the next attempt, an hour by default: \(retryAfter)")
                let resourceCalls = engine.sandbox.counters[.resourceCallsOK]
                let proxied = try await client.execute(
                    uri: "/api/v1/companies/\(harness.companyID)/ups/proxy/api/track/v1/details/1Z999AA10123456784", method: .get,
                    headers: HTTPHarness.bearer(service), body: nil)
                #expect(proxied.status == .serviceUnavailable)
                #expect(engine.sandbox.counters[.resourceCallsOK] == resourceCalls, "nothing was sent to UPS")
            }
        }
    }

    @Test("a re-authorization notification and status link IPM's own start page")
    func reauthorizationLinks() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            try await engine.optInFully()
            _ = try engine.sandbox.changePassword(username: EngineHarness.upsUser, to: "Changed-Pass-9")
            #expect(await engine.refresher.refresh(engine.company.id, force: true).metricLabel == "refused")
            let alice = try await harness.browserCookie("alice")
            let start = "/oauth/ups/start?company=\(harness.companyID)"
            try await harness.test { client in
                let notifications = String(buffer: try await client.execute(uri: "/notifications", method: .get, headers: alice, body: nil).body)
                #expect(notifications.contains(#"<a href="\#(start)">Opt in again</a>"#))
                let page = String(
                    buffer: try await client.execute(uri: "/companies/\(harness.companyID)", method: .get, headers: alice, body: nil).body)
                #expect(page.contains(#"<a href="\#(start)">Opt in again</a>"#))
                let api = try await client.execute(uri: "/api/v1/companies/\(harness.companyID)", method: .get, headers: alice, body: nil)
                let company = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: api.body).utf8)) as? [String: Any])
                #expect(company["optInURL"] as? String == "http://127.0.0.1:8080\(start)")
                let listed = try await client.execute(uri: "/api/v1/notifications", method: .get, headers: alice, body: nil)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: listed.body).utf8)) as? [String: Any])
                let newest = try #require((list["notifications"] as? [[String: Any]])?.first)
                #expect(newest["kind"] as? String == "reauthorization_required")
                #expect(newest["optInURL"] as? String == "http://127.0.0.1:8080\(start)")
                // The start page itself asks for the IPM sign-in first.
                let opened = try await client.execute(uri: start, method: .get, headers: [:], body: nil)
                #expect(opened.status == .seeOther || opened.status == .found, "\(opened.status)")
            }
        }
    }
}
