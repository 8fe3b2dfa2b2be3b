import Foundation
import IPMDomain
import Testing

/// `ups-sandbox` as a binary: a config file, a kernel-picked port, and `set-password`.
@Suite("ups-sandbox command")
struct SandboxCommandTests {
    static let config = #"""
        {"clients": [{"clientId": "c", "clientSecret": "s", "redirectURIs": ["http://127.0.0.1:9/cb"], "appName": "Test App"}],
         "users": [{"username": "shipper", "email": "shipper@example.com", "password": "Old-Pass-1"}]}
        """#

    private func writeConfig(_ text: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ups-sandbox-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: file)
        return file
    }

    private func counters(_ base: URL) async throws -> [String: Int] {
        let run = try await Programs.run("/usr/bin/curl", ["-s", "--max-time", "5", base.appendingPathComponent("sandbox/counters").absoluteString])
        return try JSONDecoder().decode([String: Int].self, from: Data(run.stdout.utf8))
    }

    @Test func servesAConfigFileAndSetPasswordChangesAUsersPassword() async throws {
        let file = try writeConfig(Self.config)
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try ServerProcess(program: "ups-sandbox", arguments: ["--config", file.path, "--port", "0"])
        let base = try #require(await sandbox.waitUntilListening(seconds: 20), "ups-sandbox did not come up: \(sandbox.log)")
        #expect(!sandbox.log.contains("demo sandbox"), "a config file is not the demo")

        let changed = try await Programs.run(
            "ups-sandbox", ["set-password", "shipper", "--url", base.absoluteString, "--password-stdin"], stdin: "New-Pass-2\n")
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("Changed the password of shipper; voided 0 opt-in(s)"))
        #expect(try await counters(base)["password_changes"] == 1)

        let unknown = try await Programs.run(
            "ups-sandbox", ["set-password", "nobody", "--url", base.absoluteString, "--password-stdin"], stdin: "x\n")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "Error: no UPS.com user named 'nobody'")

        let exit = await sandbox.stop()
        #expect(exit.reason == .exit && exit.status == 0, "\(sandbox.log)")
    }

    @Test func aBadConfigStopsStartUpWithOneLine() async throws {
        let file = try writeConfig(#"{"clients": [{"clientId": "c", "appName": "A"}]}"#)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await Programs.run("ups-sandbox", ["--config", file.path, "--port", "0"])
        #expect(run.status == 1)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("clients[0].clientSecret is missing"))

        let flags = try await Programs.run("ups-sandbox", ["--port", "0", "--lost-response-share", "1.5"])
        #expect(flags.status == 1)
        #expect(flags.stderr.contains("faults.lostResponseShare: expected a share from 0 to 1, got 1.5"))
    }

    @Test func flagsLeaveFieldsOutOfTokenAnswersAndMakeAuthorizeFail() async throws {
        let file = try writeConfig(Self.config)
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try ServerProcess(
            program: "ups-sandbox",
            arguments: ["--config", file.path, "--port", "0", "--omit-scope", "--omit-refresh-count", "--authorize-fault", "error-page"]
        )
        let base = try #require(await sandbox.waitUntilListening(seconds: 20), "ups-sandbox did not come up: \(sandbox.log)")
        let fields = try await Programs.run(
            "/usr/bin/curl", ["-s", "--max-time", "5", base.appendingPathComponent("sandbox/token-response").absoluteString])
        #expect(fields.stdout == #"{"includesRefreshCount":false,"includesScope":false}"#)
        let authorize = try await Programs.run(
            "/usr/bin/curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--max-time", "5",
                base.absoluteString + "/security/v1/oauth/authorize?client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code",
            ])
        #expect(authorize.stdout == "302 https://www.ups.com/error.page")
        let exit = await sandbox.stop()
        #expect(exit.reason == .exit && exit.status == 0, "\(sandbox.log)")

        let wrong = try await Programs.run("ups-sandbox", ["--port", "0", "--authorize-fault", "sometimes"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("--authorize-fault: expected error-headers or error-page, got 'sometimes'"), "\(wrong.stderr)")
    }
}

/// `ups-sandbox` is its own program: it links neither the product nor libpq (decision 55).
@Suite("ups-sandbox stands alone")
struct SandboxStandsAloneTests {
    @Test func itLinksNoLibpqAndReportsTheProductsVersion() async throws {
        let ldd = try await Programs.run("/usr/bin/ldd", [try Programs.path("ups-sandbox")])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        #expect(ldd.stdout.contains("libc"), "\(ldd.stdout)")
        #expect(!ldd.stdout.contains("libpq"), "\(ldd.stdout)")
        let version = try await Programs.run("ups-sandbox", ["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == IPMBuild.version)
    }
}
