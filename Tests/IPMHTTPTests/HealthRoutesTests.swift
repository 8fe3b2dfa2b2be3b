import Foundation
import Hummingbird
import HummingbirdTesting
import IPMHTTP
import Testing

struct PassingCheck: ReadinessCheck {
    var name: String { "database" }
    func check() async throws {}
}

struct FailingCheck: ReadinessCheck {
    struct Down: Error {}
    var name: String { "database" }
    func check() async throws { throw Down() }
}

/// A dependency that never answers, like a database behind a dead network.
struct HangingCheck: ReadinessCheck {
    var name: String { "database" }
    func check() async throws { try await Task.sleep(for: .seconds(3600)) }
}

@Suite("Health routes")
struct HealthRoutesTests {
    private func application(_ checks: [any ReadinessCheck], timeout: Duration = .seconds(3)) -> some ApplicationProtocol {
        let router = Router()
        HealthRoutes(checks: checks, timeout: timeout).register(on: router)
        return Application(router: router)
    }

    @Test func healthzAnswersWhateverTheDependencies() async throws {
        try await application([FailingCheck()]).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"ok\""))
            }
        }
    }

    @Test func readyzIsGreenWhenEveryCheckPasses() async throws {
        try await application([PassingCheck()]).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(body?["status"] as? String == "ready")
                #expect((body?["checks"] as? [String: String])?["database"] == "ok")
            }
        }
    }

    @Test func readyzIsRedWhenACheckFails() async throws {
        try await application([FailingCheck()]).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("\"unavailable\""))
            }
        }
    }

    @Test func readyzDoesNotHangOnAHangingCheck() async throws {
        let started = ContinuousClock.now
        try await application([HangingCheck()], timeout: .milliseconds(300)).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
