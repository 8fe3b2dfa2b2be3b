import Foundation
public import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (its dependencies answer, each within a
/// bounded time so a dead database turns the answer red instead of hanging it).
public struct HealthRoutes: Sendable {
    let checks: [any ReadinessCheck]
    let timeout: Duration

    public init(checks: [any ReadinessCheck], timeout: Duration = .seconds(3)) {
        self.checks = checks
        self.timeout = timeout
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/healthz") { _, _ in
            HealthReport(status: "ok", checks: [:])
        }
        router.get("/readyz") { _, _ -> Response in
            var results: [String: String] = [:]
            var ready = true
            for check in checks {
                if await Self.passes(check, within: timeout) {
                    results[check.name] = "ok"
                } else {
                    results[check.name] = "unavailable"
                    ready = false
                }
            }
            let report = HealthReport(status: ready ? "ready" : "unavailable", checks: results)
            let body = try JSONEncoder().encode(report)
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
    }

    private static func passes(_ check: any ReadinessCheck, within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await check.check()) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

struct HealthReport: ResponseEncodable {
    let status: String
    let checks: [String: String]
}
