import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMHTTP
import Synchronization
import Testing

/// The JSON API against a real PostgreSQL: problem+json errors, no hint of other
/// companies, CSRF for cookie callers, and the OpenAPI document matching the routes.
@Suite("JSON API")
struct APITests {
    @Test func companiesNeedACallerAndOtherCompaniesAreNotFound() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let anonymous = try await client.execute(uri: "/api/v1/companies", method: .get)
                #expect(anonymous.status == .unauthorized)
                #expect(anonymous.headers[.contentType] == "application/problem+json")

                var browser = Browser()
                _ = try await browser.signIn(client, as: "alice")
                let list = try await browser.get(client, "/api/v1/companies")
                #expect(list.status == .ok)
                let text = String(buffer: list.body)
                #expect(text.contains(#""name":"Acme""#) && text.contains(#""status":"not_connected""#) && !text.contains("Other Co"))

                let foreign = try await browser.get(client, "/api/v1/companies/\(harness.other.id)")
                let missing = try await browser.get(client, "/api/v1/companies/\(CompanyID())")
                #expect(foreign.status == .notFound && missing.status == .notFound)
                #expect(String(buffer: foreign.body) == String(buffer: missing.body))
                let unknown = try await browser.get(client, "/api/v1/nothing/here")
                #expect(unknown.status == .notFound)
                #expect(unknown.headers[.contentType] == "application/problem+json")

                let events = try await browser.get(client, "/api/v1/companies/\(harness.acme.id)/events?limit=1")
                #expect(String(buffer: events.body).contains(#""next":"#))
                let badLimit = try await browser.get(client, "/api/v1/companies/\(harness.acme.id)/events?limit=zero")
                #expect(badLimit.status == .badRequest)
                #expect(String(buffer: badLimit.body).contains("limit"))
            }
        }
    }

    @Test func aCookieCallerNeedsTheCSRFHeaderToStartAnOptIn() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = try await browser.signIn(client, as: "alice")
                let path = "/api/v1/companies/\(harness.acme.id)/opt-in"
                let without = try await client.execute(uri: path, method: .post, headers: browser.headers)
                #expect(without.status == .forbidden)
                #expect(harness.flow.starts.withLock { $0.isEmpty })
                var headers = browser.headers
                headers[HTTPField.Name("X-CSRF-Token")!] = csrf
                let started = try await client.execute(uri: path, method: .post, headers: headers)
                #expect(started.status == .created)
                #expect(String(buffer: started.body).contains("https:\\/\\/ups.example\\/authorize?state=s"))
                let optOut = try await client.execute(uri: "/api/v1/companies/\(harness.acme.id)/opt-out", method: .post, headers: headers)
                #expect(optOut.status == .conflict)
            }
        }
    }

    /// One mapping (`HTTPRefusal`) answers for both fronts: an opt-out the connection's state
    /// does not allow is 409 on the page and in the API (it was 403 on the web), a viewer's
    /// opt-out 403 in both, another company's 404 in both.
    @Test func theWebAndTheAPIAnswerTheSameRefusalWithTheSameStatus() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                for (name, company, status) in [
                    ("alice", harness.acme.id, HTTPResponse.Status.conflict), ("victor", harness.acme.id, .forbidden),
                    ("alice", harness.other.id, .notFound),
                ] {
                    var browser = Browser()
                    let csrf = try await browser.signIn(client, as: name)
                    let page = try await browser.post(client, "/companies/\(company)/opt-out", [("csrf", csrf), ("confirmed", "yes")])
                    var headers = browser.headers
                    headers[HTTPField.Name("X-CSRF-Token")!] = csrf
                    let api = try await client.execute(uri: "/api/v1/companies/\(company)/opt-out", method: .post, headers: headers)
                    #expect(page.status == status && api.status == status, "\(name) \(company): page \(page.status), API \(api.status)")
                    #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(api.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheServedAPIRoutes() async throws {
        try await WebHarness.with { harness in
            let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            // The token API and the UPS proxy need the OAuth engine: HTTPHarness checks them (IPMOAuthEngineTests).
            for (path, operations) in paths where !path.contains("/ups/") {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            // Served by ipm-server's composition root next to these; HealthRoutesTests covers them.
            let servedElsewhere: Set<String> = ["GET /healthz", "GET /readyz", "GET /metrics"]
            let served = Set(
                harness.router.routes.map { "\($0.method) \($0.path)".replacing(/:(\w+)/) { "{\($0.1)}" } }
                    .filter { $0.contains(" /api/") && !$0.contains("/ups/") && !$0.hasSuffix("**") || $0.hasSuffix("/openapi.json") })
            #expect(documented.subtracting(servedElsewhere) == served, "documented \(documented.sorted()) served \(served.sorted())")
        }
    }
}
