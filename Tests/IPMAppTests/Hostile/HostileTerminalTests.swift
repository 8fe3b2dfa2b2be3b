import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// What a server (or whatever wrote to its database) sends to `ipm --server`: text that would
/// steer the terminal, and addresses the CLI would open in a browser.
@Suite("Hostile: what ipm prints and opens", .serialized)
struct HostileTerminalTests {
    /// Escape sequences (window title, clear screen, colour, a hyperlink), BEL, C1 CSI, DEL and
    /// a right-to-left override around visible words.
    static let hostile = "Alice\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[31m red\u{1B}]8;;http://evil.example\u{1B}\\link\u{9B}1m \u{7F}\u{202E}gnp.exe"

    private func client(of server: AuthAttackServer) -> AdminCLITests.World {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-hostile-\(UUID().uuidString)")
        return AdminCLITests.World(
            database: server.world.database, configHome: home,
            env: ["XDG_CONFIG_HOME": home.path, "IPM_SERVER": server.base.absoluteString], acme: server.world.acme, other: server.world.other
        )
    }

    private func expectNoControls(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.filter {
            ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                || (0x2066...0x2069).contains($0.value)
        }
        #expect(bad.isEmpty, "\(what) carries \(bad.map { String($0.value, radix: 16) }): \(text.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test("names and messages from the server are printed without terminal control characters; JSON keeps them escaped")
    func serverTextCannotSteerTheTerminal() async throws {
        try await AuthAttackServer.run { server in
            let cli = client(of: server)
            defer { try? FileManager.default.removeItem(at: cli.configHome) }
            _ = try await server.world.database.client.execute("UPDATE admins SET display_name = \(Self.hostile) WHERE sign_in_name = 'alice'")
            _ = try await server.world.database.client.execute(
                """
                UPDATE ups_connections SET status = 'reauthorization_required', reauthorization_message = \(Self.hostile)
                WHERE company_id = \(server.world.acme.id.rawValue)
                """)
            let login = try await cli.ipm("login", "alice", "--password-stdin", stdin: AdminCLITests.passwords["alice"]! + "\n")
            #expect(login.status == 0, "\(login.stderr)")
            expectNoControls(login.stdout, "ipm login")
            #expect(login.stdout.contains("Alice red") && login.stdout.contains("gnp.exe"), "\(login.stdout)")
            for arguments in [["whoami"], ["companies"], ["oauth", "status", "Acme Logistics"], ["audit", "Acme Logistics"]] {
                let run = try await cli.ipm(arguments)
                #expect(run.status == 0, "\(arguments): \(run.stderr)")
                expectNoControls(run.stdout, "ipm \(arguments.joined(separator: " "))")
                expectNoControls(run.stderr, "ipm \(arguments.joined(separator: " ")) (stderr)")
            }
            #expect(try await cli.ipm("oauth", "status", "Acme Logistics").stdout.contains("gnp.exe"))
            // JSON is for programs: the text arrives whole, escaped by JSON itself.
            let whoami = try json(try await cli.ipm("whoami", "--json")) as? [String: Any]
            #expect((whoami?["admin"] as? [String: Any])?["displayName"] as? String == Self.hostile)
            try await server.expectStillUp()
        }
    }

    @Test("ipm --server opens in a browser only addresses on that server; on the database, the configured ones")
    func onlyTheConfiguredServerIsOpened() async throws {
        try await AuthAttackServer.run { server in
            var cli = client(of: server)
            defer { try? FileManager.default.removeItem(at: cli.configHome) }
            let opened = cli.configHome.appendingPathComponent("opened.txt")
            let browser = cli.configHome.appendingPathComponent("browser.sh")
            try FileManager.default.createDirectory(at: cli.configHome, withIntermediateDirectories: true)
            try "#!/bin/sh\necho \"$1\" >> '\(opened.path)'\n".write(to: browser, atomically: true, encoding: .utf8)
            chmod(browser.path, 0o755)
            cli.env["BROWSER"] = browser.path
            try await cli.login("alice")

            // The server's IPM_PUBLIC_URL (http://127.0.0.1:9) is not the server ipm was pointed at.
            let remote = try await cli.ipm("oauth", "opt-in", "Acme Logistics", "--timeout", "2s")
            #expect(remote.status == 75, "\(remote.stderr)")
            #expect(remote.stdout.contains("http://127.0.0.1:9/oauth/ups/start?company="), "the address is still printed")
            #expect(remote.stderr.contains("not opening a browser"), "\(remote.stderr)")
            try await Task.sleep(for: .milliseconds(300))
            #expect(!FileManager.default.fileExists(atPath: opened.path), "a browser was asked to open an address the server chose")

            // On the database the same address is this machine's own setting: it is opened.
            var local = cli
            local.env = [
                "XDG_CONFIG_HOME": cli.configHome.path, "IPM_DATABASE_URL": server.world.database.connectionString,
                "IPM_PUBLIC_URL": OptInHarness.publicURL, "BROWSER": browser.path,
            ]
            try await local.login("alice")
            let run = try await local.ipm("oauth", "opt-in", "Acme Logistics", "--timeout", "2s")
            #expect(run.status == 75, "\(run.stderr)")
            try await Task.sleep(for: .milliseconds(300))
            let seen = (try? String(contentsOf: opened, encoding: .utf8)) ?? ""
            #expect(seen.hasPrefix("http://127.0.0.1:9/oauth/ups/start?company=\(server.world.acme.id)"), "\(seen)")
            try await server.expectStillUp()
        }
    }
}
