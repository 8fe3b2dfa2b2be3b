import Foundation
import Hummingbird
import IPMApp
import IPMTestSupport
import Logging
import ServiceLifecycle
import Testing

/// `buildApplication`, the production wiring of `ipm-server`, run in-process (decision 56).
@Suite("ipm-server wiring")
struct ServerApplicationTests {
    @Test func gracefulShutdownStopsTheWorkersThenTheHTTPClientThenThePool() async throws {
        let database = try await TestDatabase.fresh()
        let logs = LogCapture()
        let logger = logs.logger(label: "ipm-server", level: .debug)
        let configuration = try IPMConfiguration.load(environment: [
            "IPM_DATABASE_URL": database.connectionString, "IPM_HTTP_HOST": "127.0.0.1", "IPM_HTTP_PORT": "0",
            "IPM_UPS_CLIENT_ID": "wiring-client", "IPM_UPS_CLIENT_SECRET": "wiring-secret", "IPM_UPS_BASE_URL": "http://127.0.0.1:9",
            "IPM_ENCRYPTION_KEYS": "k1:" + Data(repeating: 3, count: 32).base64EncodedString(),
            "IPM_WEBHOOK_URL": "http://127.0.0.1:9/hook", "IPM_WEBHOOK_SECRET": "wiring-webhook-secret-of-at-least-32-characters",
        ])
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let application = try await buildApplication(configuration: configuration, logger: logger) { listening.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { listening.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next(), "\(logs.all)")
            // The wiring serves: /readyz asks the pool.
            let ready = try await Programs.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "http://127.0.0.1:\(port)/readyz"])
            #expect(ready.stdout == "200", "\(logs.all)")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let lines = logs.all
        func position(_ text: String) -> Int? { lines.firstIndex { $0.contains(text) } }
        // The HTTP server is the last service of Hummingbird's own group, so it stops first;
        // it logs nothing reliable on the way ("Shutting down" only in a race), so the order
        // checked is of the services this application adds.
        let worker = try #require(position("refresh worker stopped"), "\(lines)")
        let client = try #require(position("HTTP client closed"), "\(lines)")
        let pool = try #require(position("database pool closed"), "\(lines)")
        #expect(worker < client, "the workers stop before the HTTP client closes: \(lines)")
        #expect(client < pool, "the HTTP client closes before the pool: \(lines)")
        await database.drop()
    }
}
