import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import IPMPostgres
import Logging
import Testing

/// `ipm-server` as a process: health, readiness through a PostgreSQL restart, graceful stop.
@Suite("ipm-server health", .serialized)
struct ServerHealthTests {
    /// A port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func status(_ url: URL) async -> Int? {
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    /// Polls until `url` answers `expected`, for at most `seconds`.
    static func waitFor(_ url: URL, status expected: Int, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await status(url) == expected { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test func readinessFollowsTheDatabaseThroughARestart() async throws {
        let directory = URL(fileURLWithPath: "/tmp/ipm-health-\(UUID().uuidString.prefix(8).lowercased())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test")
        let postgres = EmbeddedPostgres(stateDirectory: directory, logger: logger)
        let handle = try await Task.detached { try postgres.start() }.value

        let port = try Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Programs.path("ipm-server"))
        server.environment = Programs.environment([
            "IPM_DATABASE_URL": handle.connectionString, "IPM_HTTP_PORT": "\(port)", "IPM_LOG_LEVEL": "error",
        ])
        // The embedded server of this test is not migrated: migrate it like an operator would.
        let migrate = try await Programs.run("ipm", ["migrate"], environment: ["IPM_DATABASE_URL": handle.connectionString])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }

        let base = URL(string: "http://127.0.0.1:\(port)")!
        let healthz = base.appendingPathComponent("healthz"), readyz = base.appendingPathComponent("readyz")
        #expect(await Self.waitFor(healthz, status: 200, seconds: 30), "ipm-server did not come up")
        #expect(await Self.status(readyz) == 200)

        // PostgreSQL goes away: readiness turns red promptly, the process stays up.
        try await Task.detached { try postgres.stop(handle) }.value
        let redStart = Date()
        #expect(await Self.waitFor(readyz, status: 503, seconds: 10), "/readyz did not turn red")
        #expect(Date().timeIntervalSince(redStart) < 10)
        #expect(await Self.status(healthz) == 200)
        #expect(server.isRunning)

        // PostgreSQL comes back: readiness turns green again without restarting ipm-server.
        let again = try await Task.detached { try postgres.start() }.value
        #expect(await Self.waitFor(readyz, status: 200, seconds: 30), "/readyz did not turn green again")

        // SIGTERM stops it gracefully.
        server.terminate()
        await Task.detached { server.waitUntilExit() }.value
        #expect(server.terminationReason == .exit)
        #expect(server.terminationStatus == 0)
        try await Task.detached { try postgres.stop(again) }.value
    }

    @Test func aMalformedSettingStopsStartUpWithOneLine() async throws {
        let run = try await Programs.run("ipm-server", [], environment: ["IPM_HTTP_PORT": "eighty"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("IPM_HTTP_PORT: expected a whole number from 0 to 65535, got 'eighty'"))
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
