import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMOAuth
import IPMTestSupport
import NIOCore
import Testing
import UPSSandbox

/// `/api/v1/companies/{id}/ups/proxy/{path…}` through the router, on the real engine, the
/// running sandbox's tracking API and PostgreSQL.
@Suite("UPS proxy route")
struct UPSProxyRouteTests {
    static let tracking = "api/track/v1/details/1Z999AA10123456784"

    static func proxy(
        _ client: any TestClientProtocol, _ harness: HTTPHarness, _ path: String, token: String, method: HTTPRequest.Method = .get,
        body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var headers = HTTPHarness.bearer(token)
        headers[.cookie] = "ipm_session=not-for-ups"
        headers[HTTPField.Name("transId")!] = "test-1"
        return try await client.execute(uri: "/api/v1/companies/\(harness.companyID)/ups/proxy/\(path)", method: method, headers: headers, body: body)
    }

    @Test("a proxy-scope service token reaches UPS's tracking API with the company's token; UPS's status, type and body come back")
    func happyPath() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let token = try await harness.serviceToken([.proxy])
            let tokenOnly = try await harness.serviceToken([.accessToken])
            try await harness.test { client in
                let response = try await Self.proxy(client, harness, Self.tracking + "?locale=en_US", token: token)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(String(buffer: response.body).contains("1Z999AA10123456784"))
                // UPS's own answers pass through as they are: a bad inquiry number is UPS's 400.
                let invalid = try await Self.proxy(client, harness, "api/track/v1/details/not-valid!", token: token)
                #expect(invalid.status == .badRequest)
                #expect(String(buffer: invalid.body).contains(#""errors""#))

                let wrongScope = try await Self.proxy(client, harness, Self.tracking, token: tokenOnly)
                #expect(wrongScope.status == .forbidden)
                #expect(String(buffer: wrongScope.body).contains("does not carry the proxy scope"))
            }
            #expect(harness.engine.sandbox.counters[.resourceCallsOK] == 2)
            #expect(harness.engine.sandbox.counters[.resourceCallsUnauthorized] == 0)
        }
    }

    @Test("UPS refusing a stale token: one refresh for concurrent callers, each call sent once more and answered 200; no token logged")
    func refreshOnceAndRetry() async throws {
        try await HTTPHarness.run { harness in
            let engine = harness.engine
            // A token that UPS lets expire after a second while IPM's clock says it is fresh.
            try engine.sandbox.setLifetimes(Lifetimes(accessTokenSeconds: 1))
            try await engine.optInFully()
            try engine.sandbox.setLifetimes(Lifetimes())
            engine.clock.advance(by: -1000)
            let stale = try #require(try await engine.storedTokens())
            try await Task.sleep(for: .milliseconds(1500))
            let token = try await harness.serviceToken([.proxy])
            try await harness.test { client in
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<5 {
                        group.addTask { try await Self.proxy(client, harness, Self.tracking, token: token).status }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                #expect(statuses == Array(repeating: .ok, count: 5))
            }
            let counters = engine.sandbox.counters
            #expect(counters[.refreshesServed] == 1, "the stored token is renewed once, not once per caller")
            #expect(counters[.refreshTokenReuse] == 0)
            // A caller that starts after the renewal is stored gets the new token at once.
            #expect((1...5).contains(counters[.resourceCallsUnauthorized]))
            #expect(counters[.resourceCallsOK] == 5)
            let renewed = try #require(try await engine.storedTokens())
            #expect(renewed.access != stale.access)
            // One more caller that was refused the old token gets the stored new one, without a refresh.
            let late = try await UPSAccessTokens(refresher: engine.refresher).accessToken(for: engine.company.id, replacing: stale.access)
            #expect(late.token == renewed.access)
            #expect(engine.sandbox.counters[.refreshesServed] == 1)
            let logs = engine.logs.all.joined(separator: "\n")
            #expect(logs.contains("UPS refused the stored access token; refreshing it once"))
            for secret in [stale.access, stale.refresh, renewed.access, renewed.refresh, Secret(token)] {
                #expect(!logs.contains(secret.value), "no token in the logs")
            }
        }
    }

    @Test("paths that could leave the UPS base URL are 400 and nothing is sent")
    func pathEscapes() async throws {
        try await HTTPHarness.run { harness in
            try await harness.engine.optInFully()
            let token = try await harness.serviceToken([.proxy])
            try await harness.test { client in
                for path in [
                    "../../../companies", "api/../../x", "%2e%2e/%2E%2e/x", "api%2Ftrack/v1", "api/%5C../x", "api/track/./v1",
                    "http://evil.example/x", "//evil.example/x", "http:evil.example", "api/track%00/v1", "api/tr\u{E9}ck",
                ] {
                    let response = try await Self.proxy(client, harness, path, token: token)
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.headers[.contentType] == "application/problem+json", "\(path)")
                }
            }
            #expect(harness.engine.sandbox.counters[.resourceCallsOK] == 0)
            #expect(harness.engine.sandbox.counters[.resourceCallsUnauthorized] == 0)
        }
    }

    @Test("a slow UPS is 504, an oversized body 413, a company that has not opted in 409")
    func limits() async throws {
        try await HTTPHarness.run { harness in
            let token = try await harness.serviceToken([.proxy])
            try await harness.test { client in
                let never = try await Self.proxy(client, harness, Self.tracking, token: token)
                #expect(never.status == .conflict)
                #expect(String(buffer: never.body).contains("must opt in first"))

                try await harness.engine.optInFully()
                let huge = try await Self.proxy(
                    client, harness, Self.tracking, token: token, method: .post, body: ByteBuffer(repeating: 0x41, count: 70_000))
                #expect(huge.status == .contentTooLarge)

                try harness.engine.sandbox.setFaults(FaultConfiguration(latencyMilliseconds: 4000, endpoints: [.resource], seed: 1))
                let started = ContinuousClock.now
                let slow = try await Self.proxy(client, harness, Self.tracking, token: token)
                #expect(slow.status == .gatewayTimeout)
                #expect(String(buffer: slow.body).contains("did not answer in time"))
                #expect(ContinuousClock.now - started < .seconds(15))
            }
        }
    }

    @Test("the OpenAPI document lists the proxy for every method it serves")
    func documentedInOpenAPI() async throws {
        try await HTTPHarness.run { harness in
            let (documented, _) = try harness.upsRoutes()
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                #expect(documented.contains("\(method) /api/v1/companies/{id}/ups/proxy/{path}"))
            }
        }
    }
}
