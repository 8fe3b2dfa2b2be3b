import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `IPM_CONFIG_FILE` as people and editors write it: CRLF line ends, and secrets in a file
/// the whole machine can read.
@Suite("Hostile: the settings file")
struct HostileConfigFileTests {
    private func withFile(_ text: String, mode: mode_t, _ body: (String, TestDatabase) async throws -> Void) async throws {
        let database = try await TestDatabase.fresh()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-config-\(UUID().uuidString).env").path
        let filled = text.replacingOccurrences(of: "@DB@", with: database.connectionString)
        try filled.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        do {
            try await body(path, database)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            await database.drop()
            throw error
        }
        try? FileManager.default.removeItem(atPath: path)
        await database.drop()
    }

    @Test("a file with CRLF line ends reads as its lines")
    func crlfLineEnds() async throws {
        try await withFile("# written on Windows\r\nIPM_DATABASE_URL=@DB@\r\nIPM_LOG_LEVEL=warning\r\n\r\n", mode: 0o600) { path, database in
            let created = try await Programs.run(
                "ipm", ["company", "create", "CRLF Co"], environment: ["IPM_DATABASE_URL": database.connectionString])
            #expect(created.status == 0, "\(created.stderr)")
            // No embedded database to fall back on: the file's URL must be read as written.
            let run = try await Programs.run(
                "ipm", ["company", "list", "--json"], environment: ["IPM_CONFIG_FILE": path, "IPM_STATE_DIR": "/nonexistent/ipm-state"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("CRLF Co"), "\(run.stdout)")
        }
        // A bad value on a CRLF line is named as that setting, not swallowed into the one before.
        try await withFile("IPM_DATABASE_URL=@DB@\r\nIPM_HTTP_PORT=eighty\r\n", mode: 0o600) { path, _ in
            let run = try await Programs.run("ipm-server", [], environment: ["IPM_CONFIG_FILE": path])
            #expect(run.status != 0)
            #expect(run.stderr.contains("IPM_HTTP_PORT: expected a whole number from 0 to 65535, got 'eighty'"), "\(run.stderr)")
        }
    }

    @Test("a file holding a secret that group or others can read is refused with one line; 0600 is fine, and so is a file without secrets")
    func readableSecretsAreRefused() async throws {
        for secret in [
            "IPM_UPS_CLIENT_SECRET=s3cret", "IPM_WEBHOOK_SECRET=0123456789abcdef0123456789abcdef", "IPM_ENCRYPTION_KEYS=k1:AAAA", "PGPASSWORD=pw",
        ] {
            try await withFile("IPM_DATABASE_URL=@DB@\n\(secret)\n", mode: 0o644) { path, _ in
                let run = try await Programs.run("ipm", ["company", "list"], environment: ["IPM_CONFIG_FILE": path])
                let name = String(secret.prefix { $0 != "=" })
                expectOneLineFailure(
                    run,
                    "IPM_CONFIG_FILE: expected a file that only its owner can read, since it holds \(name); \(path) has mode 644 (chmod 600 \(path))")
                #expect(!run.stderr.contains(String(secret.drop { $0 != "=" }.dropFirst())), "the secret is not echoed")
            }
        }
        // A database URL with a password is a secret; group-readable is enough to refuse it.
        try await withFile("IPM_DATABASE_URL=postgresql://ipm:hunter2@127.0.0.1:9/ipm\n", mode: 0o640) { path, _ in
            let run = try await Programs.run("ipm", ["company", "list"], environment: ["IPM_CONFIG_FILE": path])
            expectOneLineFailure(run, "since it holds IPM_DATABASE_URL")
            #expect(!run.stderr.contains("hunter2"))
        }
        try await withFile("IPM_DATABASE_URL=@DB@\nIPM_UPS_CLIENT_SECRET=s3cret\n", mode: 0o600) { path, _ in
            let run = try await Programs.run("ipm", ["company", "list"], environment: ["IPM_CONFIG_FILE": path])
            #expect(run.status == 0, "\(run.stderr)")
        }
        try await withFile("IPM_DATABASE_URL=@DB@\nIPM_LOG_LEVEL=info\nIPM_SERVICE_TOKEN_CACHE=5\n", mode: 0o644) { path, _ in
            let run = try await Programs.run("ipm", ["company", "list"], environment: ["IPM_CONFIG_FILE": path])
            #expect(run.status == 0, "\(run.stderr)")
        }
    }
}
