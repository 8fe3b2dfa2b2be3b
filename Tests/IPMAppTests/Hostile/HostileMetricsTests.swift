import Foundation
import IPMDomain
import Testing

/// `/metrics` (issue 11, point 8): open to anyone who could reach the server, it told route
/// names, request counts and the companies' connection states. With `IPM_METRICS_TOKEN` only
/// a scraper sending that bearer token reads it.
@Suite("Hostile input: metrics")
struct HostileMetricsTests {
    static let token = "metrics-" + String(repeating: "k", count: 40)

    @Test func withATokenOnlyTheScraperReadsMetrics() async throws {
        try await HostileServer.with(environment: ["IPM_METRICS_TOKEN": Self.token]) { server in
            let session = try await server.apiToken("alice")
            let before = try await server.state()
            let refused: [String?] = [
                nil, "Bearer wrong", "Bearer " + String(Self.token.dropLast()), "Bearer " + Self.token + "x", "Basic " + Self.token, Self.token,
                "Bearer \(session)",
            ]
            for authorization in refused {
                let answer = try await server.request("GET", "/metrics", headers: authorization.map { [("Authorization", $0)] } ?? [])
                #expect(answer.status == 401, "\(authorization ?? "none"): \(answer)")
                #expect(answer.header("www-authenticate") == #"Bearer realm="metrics""#)
                #expect(!answer.body.contains("http_server_request"), "\(answer.body)")
            }
            let scraped = try await server.request("GET", "/metrics", headers: [("Authorization", "Bearer " + Self.token)])
            #expect(scraped.status == 200, "\(scraped)")
            #expect(scraped.body.contains("http_server_request"), "\(scraped.body.prefix(500))")
            #expect(!server.process.log.contains(Self.token), "the token reached the log")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }
}
