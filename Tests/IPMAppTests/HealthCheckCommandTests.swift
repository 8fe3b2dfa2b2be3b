import Foundation
import IPMTestSupport
import Testing

/// `ipm-server --check-health`, the container's HEALTHCHECK without curl (decision 61):
/// exit 0 only when the configured server answers `/readyz` with 200.
@Suite("ipm-server --check-health")
struct HealthCheckCommandTests {
    /// `ipm-server --check-health` for a server on `port`, reached as a container reaches itself.
    static func check(port: Int, host: String = "0.0.0.0") async throws -> ProgramRun {
        try await Programs.run("ipm-server", ["--check-health"], environment: ["IPM_HTTP_HOST": host, "IPM_HTTP_PORT": String(port)])
    }

    @Test func readyServerIsZeroAndAStoppedOneIsOneWithOneLine() async throws {
        let database = try await TestDatabase.fresh()
        let server = try ServerProcess(environment: ServerHealthTests.upsSettings.merging(["IPM_DATABASE_URL": database.connectionString]) { $1 })
        guard let base = await server.waitUntilListening(), let port = base.port else {
            _ = await server.stop()
            await database.drop()
            Issue.record("ipm-server did not come up: \(server.log)")
            return
        }
        let ready = try await Self.check(port: port)
        let readyOnLoopback = try await Self.check(port: port, host: "127.0.0.1")
        _ = await server.stop()
        let stopped = try await Self.check(port: port)
        await database.drop()

        #expect(ready.status == 0, "\(ready.stderr)")
        #expect(ready.stdout == "ready: http://127.0.0.1:\(port)/readyz\n")
        #expect(readyOnLoopback.status == 0, "\(readyOnLoopback.stderr)")
        #expect(stopped.status == 1)
        #expect(stopped.stderr.hasPrefix("ipm-server: not ready: http://127.0.0.1:\(port)/readyz did not answer"), "\(stopped.stderr)")
        #expect(stopped.stderr.split(separator: "\n").count == 1, "\(stopped.stderr)")
    }

    /// Something answers, but not 200 (here the sandbox, which has no /readyz): not ready.
    @Test func anAnswerOtherThan200IsOne() async throws {
        let sandbox = try ServerProcess(program: "ups-sandbox", arguments: ["--port", "0"])
        guard let base = await sandbox.waitUntilListening(), let port = base.port else {
            _ = await sandbox.stop()
            Issue.record("ups-sandbox did not come up: \(sandbox.log)")
            return
        }
        let run = try await Self.check(port: port)
        _ = await sandbox.stop()
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("ipm-server: not ready: http://127.0.0.1:\(port)/readyz answered 404"), "\(run.stderr)")
    }

    @Test func aWildcardAddressIsAskedOnLoopback() async throws {
        let run = try await Programs.run("ipm-server", ["--check-health"], environment: ["IPM_HTTP_HOST": "::", "IPM_HTTP_PORT": "9"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("ipm-server: not ready: http://[::1]:9/readyz did not answer"), "\(run.stderr)")
    }
}
