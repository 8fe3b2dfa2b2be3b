import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import NIOHTTP1
import Testing
import UPSSandbox

/// The admin commands (`ipm login`, `companies`, `oauth …`, `audit`), run as a binary against
/// a fresh database with a private config directory each: alice is an admin of Acme
/// Logistics, victor a viewer there, mallory an admin of Other Co only.
@Suite("ipm admin commands")
struct AdminCLITests {
    static let passwords = ["alice": "alice password 1", "victor": "victor password 2", "mallory": "mallory password 3"]

    /// One test's world: database, config home, environment.
    struct World: Sendable {
        let database: TestDatabase
        let configHome: URL
        var env: [String: String]
        let acme: Company
        let other: Company

        var tokenFile: String { configHome.path + "/ipm/session" }

        static func make() async throws -> World {
            let database = try await TestDatabase.fresh()
            let clock = SystemClock()
            let companies = PostgresCompanyRepository(client: database.client, clock: clock)
            let admins = try PostgresAdminRepository(client: database.client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
            let memberships = PostgresMembershipRepository(client: database.client, clock: clock)
            let setup = AuditActor.operator("test")
            let acme = try await companies.create(try CompanyName("Acme Logistics"), by: setup)
            let other = try await companies.create(try CompanyName("Other Co"), by: setup)
            for (name, company, role) in [("alice", acme, Role.admin), ("victor", acme, .viewer), ("mallory", other, .admin)] {
                let admin = try await admins.create(try NewAdmin(signInName: try SignInName(name)), password: try Password(passwords[name]!))
                _ = try await memberships.grant(role, to: admin.id, in: company.id, by: setup)
            }
            let configHome = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-cli-\(UUID().uuidString)")
            let env = ["IPM_DATABASE_URL": database.connectionString, "XDG_CONFIG_HOME": configHome.path, "IPM_PUBLIC_URL": OptInHarness.publicURL]
            return World(database: database, configHome: configHome, env: env, acme: acme, other: other)
        }

        func ipm(_ arguments: String..., stdin: String? = nil, extra: [String: String] = [:]) async throws -> ProgramRun {
            try await ipm(arguments, stdin: stdin, extra: extra)
        }

        func ipm(_ arguments: [String], stdin: String? = nil, extra: [String: String] = [:]) async throws -> ProgramRun {
            try await Programs.run("ipm", arguments, environment: env.merging(extra) { $1 }, stdin: stdin)
        }

        func login(_ name: String) async throws {
            let run = try await ipm("login", name, "--password-stdin", stdin: AdminCLITests.passwords[name]! + "\n")
            #expect(run.status == 0, "\(run.stderr)")
        }

        /// `ipm` on a pseudo-terminal, for prompts and colour.
        func terminal(_ arguments: String..., extra: [String: String] = [:]) throws -> TerminalSession {
            try TerminalSession(try Programs.path("ipm"), arguments, environment: Programs.environment(env.merging(extra) { $1 }))
        }

        func drop() async {
            await database.drop()
            try? FileManager.default.removeItem(at: configHome)
        }
    }

    private func withWorld(_ body: (World) async throws -> Void) async throws {
        let world = try await World.make()
        do {
            try await body(world)
        } catch {
            await world.drop()
            throw error
        }
        await world.drop()
    }

    /// A world with the sandbox serving, its settings in the environment, and alice signed in.
    private func withAliceAndSandbox(_ body: (World, Sandbox, URL, HTTPClient) async throws -> Void) async throws {
        try await withWorld { world in
            try await OptInHarness.withSandbox { sandbox, url, http in
                var world = world
                world.env.merge(OptInHarness.environment(database: world.database, sandboxURL: url)) { $1 }
                try await world.login("alice")
                try await body(world, sandbox, url, http)
            }
        }
    }

    @Test func loginWhoamiLogoutKeepOnlyTheToken() async throws {
        try await withWorld { world in
            let before = try await world.ipm("whoami")
            #expect(before.stderr == "ipm: not signed in: run `ipm login`\n")
            #expect(before.status == 77)
            let noDatabase = try await world.ipm("companies", extra: ["IPM_DATABASE_URL": "postgresql://ipm@127.0.0.1:1/ipm"])
            #expect(noDatabase.stderr == "ipm: not signed in: run `ipm login`\n", "no database is opened without a token")

            expectOneLineFailure(
                try await world.ipm("login", "alice", "--password-stdin", stdin: "wrong password 0\n"), "The sign-in name or password is not correct."
            )
            expectOneLineFailure(
                try await world.ipm("login", "nobody", "--password-stdin", stdin: "short\n"), "The sign-in name or password is not correct.")
            #expect(!FileManager.default.fileExists(atPath: world.tokenFile))

            let login = try await world.ipm("login", "alice", "--password-stdin", stdin: "alice password 1\n")
            #expect(login.status == 0, "\(login.stderr)")
            #expect(login.stdout.hasPrefix("Signed in as alice"))
            #expect(try mode(world.tokenFile) == 0o600)
            #expect(try mode(world.configHome.path + "/ipm") == 0o700)
            let token = try String(contentsOfFile: world.tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.count >= 43, "only the token is kept")
            #expect(!login.stdout.contains(token) && !login.stderr.contains(token))
            let rows = try await world.database.client.query("SELECT row_to_json(s)::text AS row, kind FROM admin_sessions s")
            #expect(rows.count == 1)
            #expect(try rows[0].decode("kind", as: String.self) == "cli")
            #expect(try !rows[0].decode("row", as: String.self).contains(token), "the database keeps a digest only")

            let whoami = try await world.ipm("whoami")
            #expect(whoami.status == 0)
            #expect(whoami.stdout.hasPrefix("alice (alice), signed in at"))
            let me = try #require(try json(try await world.ipm("whoami", "--json")) as? [String: Any])
            #expect((me["admin"] as? [String: Any])?["signInName"] as? String == "alice")
            #expect(me["expiresAt"] is String)

            // Signing in again replaces (and ends) the previous session.
            try await world.login("alice")
            let live = try await world.database.client.query("SELECT count(*)::bigint AS n FROM admin_sessions WHERE revoked_at IS NULL")
            #expect(try live[0].decode("n", as: Int.self) == 1)

            let logout = try await world.ipm("logout")
            #expect(logout.stdout == "Signed out.\n")
            #expect(!FileManager.default.fileExists(atPath: world.tokenFile))
            #expect(try await world.ipm("whoami").status == 77)
            #expect(try await world.ipm("logout").stdout == "Not signed in.\n")

            // A stolen token file stays useless after logout, and a file others can read is refused.
            try (token + "\n").write(toFile: world.tokenFile, atomically: false, encoding: .utf8)
            chmod(world.tokenFile, 0o600)
            expectOneLineFailure(try await world.ipm("companies"), status: 77, "not signed in: run `ipm login`")
            chmod(world.tokenFile, 0o644)
            expectOneLineFailure(try await world.ipm("companies"), "is readable by others (mode 644)")
            #expect(try await world.ipm("logout").stdout == "Not signed in.\n")
            #expect(!FileManager.default.fileExists(atPath: world.tokenFile), "logout removes a file it cannot use")
            try "junk\n".write(toFile: world.tokenFile, atomically: false, encoding: .utf8)
            chmod(world.tokenFile, 0o644)
            try await world.login("alice")
            #expect(try mode(world.tokenFile) == 0o600, "login replaces it")
        }
    }

    @Test func loginAsksOnATerminalWithoutEcho() async throws {
        try await withWorld { world in
            let session = try world.terminal("login")
            let (status, screen) = try await onThread {
                #expect(try session.expect("Sign-in name: "))
                session.type("alice\n")
                #expect(try session.expect("Password: "))
                session.type("alice password 1\n")
                return try session.finish()
            }
            #expect(status == 0, "\(screen)")
            #expect(screen.contains("Signed in as alice"))
            #expect(!screen.contains("alice password 1"), "the password was echoed")
            #expect(try await world.ipm("whoami").status == 0)

            expectOneLineFailure(try await world.ipm("login", stdin: "alice\n"), "no sign-in name: give it as an argument")
            expectOneLineFailure(try await world.ipm("login", "alice"), "use --password-stdin")
        }
    }

    @Test func companiesStatusAndAuditFollowTheWebRules() async throws {
        try await withWorld { world in
            expectOneLineFailure(try await world.ipm("companies"), status: 77, "not signed in: run `ipm login`")
            try await world.login("alice")

            let companies = try #require(try json(try await world.ipm("companies", "--json")) as? [[String: Any]])
            #expect(companies.map { $0["name"] as? String } == ["Acme Logistics"], "only her own companies")
            #expect(companies.first?["status"] as? String == "not_connected")
            #expect(companies.first?["role"] as? String == "admin")
            let table = try await world.ipm("companies")
            #expect(table.stdout.contains("Acme Logistics  admin"))
            #expect(table.stdout.contains("Not connected"))
            #expect(!table.stdout.contains("\u{1B}["), "no colour when piped")

            let status = try await world.ipm("oauth", "status", "acme logistics")
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("Not connected"))
            #expect(status.stdout.contains("This company has not opted in to UPS Online Tools (OAuth)"))
            let statusJSON = try #require(try json(try await world.ipm("oauth", "status", world.acme.id.description, "--json")) as? [String: Any])
            #expect(statusJSON["name"] as? String == "Acme Logistics")
            #expect(statusJSON["statusTitle"] as? String == "Not connected")

            // Another tenant's company reads exactly like one that does not exist.
            expectOneLineFailure(try await world.ipm("oauth", "status", "Other Co"), "no company named 'Other Co'")
            expectOneLineFailure(try await world.ipm("oauth", "status", "Nobody Inc"), "no company named 'Nobody Inc'")
            expectOneLineFailure(try await world.ipm("oauth", "status", world.other.id.description), "no company with id \(world.other.id)")
            expectOneLineFailure(try await world.ipm("audit", "Other Co"), "no company named 'Other Co'")
            expectOneLineFailure(try await world.ipm("oauth", "opt-out", "Other Co", "--yes"), "no company named 'Other Co'")
            expectOneLineFailure(try await world.ipm("oauth", "opt-in", "Other Co", "--no-browser"), "no company named 'Other Co'")

            let page = try #require(try json(try await world.ipm("audit", "Acme Logistics", "--json")) as? [String: Any])
            let events = try #require(page["events"] as? [[String: Any]])
            #expect(events.map { $0["action"] as? String } == ["membership_granted", "membership_granted", "company_created"], "newest first")
            #expect(page["next"] == nil)

            let first = try #require(try json(try await world.ipm("audit", "Acme Logistics", "--limit", "2", "--json")) as? [String: Any])
            #expect((first["events"] as? [[String: Any]])?.count == 2)
            let cursor = try #require(first["next"] as? String)
            let second = try #require(
                try json(try await world.ipm("audit", "Acme Logistics", "--limit", "2", "--before", cursor, "--json")) as? [String: Any])
            #expect((second["events"] as? [[String: Any]])?.map { $0["action"] as? String } == ["company_created"])
            #expect(second["next"] == nil)
            let text = try await world.ipm("audit", "Acme Logistics", "--limit", "1")
            #expect(text.stdout.contains("Access granted"))
            #expect(text.stderr.hasPrefix("More: ipm audit 'Acme Logistics' --limit 1 --before "))
            #expect(try await world.ipm("audit", "Acme Logistics", "--limit", "0").status == 64)
            #expect(try await world.ipm("audit", "Acme Logistics", "--before", "yesterday").status == 64)

            // A viewer sees, and cannot opt in or out.
            try await world.login("victor")
            #expect(try await world.ipm("oauth", "status", "Acme Logistics").stdout.contains("viewer"))
            expectOneLineFailure(try await world.ipm("oauth", "opt-out", "Acme Logistics", "--yes"), "your role does not allow you to opt out")
            expectOneLineFailure(try await world.ipm("oauth", "opt-in", "Acme Logistics", "--no-browser"), "your role does not allow you to opt in")
            expectOneLineFailure(
                try await world.ipm("oauth", "opt-in", "Acme Logistics", "--paste", "--no-browser"), "your role does not allow you to opt in")
        }
    }

    @Test func aDisabledAdminsSessionStopsAtOnce() async throws {
        try await withWorld { world in
            try await world.login("alice")
            #expect(try await world.ipm("companies").status == 0)
            #expect(try await world.ipm("admin", "disable", "alice").status == 0)
            expectOneLineFailure(try await world.ipm("companies"), status: 77, "not signed in: run `ipm login`")
            expectOneLineFailure(
                try await world.ipm("login", "alice", "--password-stdin", stdin: "alice password 1\n"), "The sign-in name or password is not correct."
            )
            #expect(try await world.ipm("admin", "enable", "alice").status == 0)
            // The disable revoked the session for good: enabling lets alice sign in afresh, nothing more.
            expectOneLineFailure(try await world.ipm("companies"), status: 77, "not signed in: run `ipm login`")
            try await world.login("alice")
            #expect(try await world.ipm("companies").status == 0)
        }
    }

    @Test func pasteOptInCompletesWithTheCLISession() async throws {
        try await withAliceAndSandbox { world, sandbox, url, http in
            // Junk and a forged state change nothing.
            let junk = try world.terminal("oauth", "opt-in", "Acme Logistics", "--paste", "--no-browser")
            let (junkStatus, junkScreen) = try await onThread { try junk.answer("Address: ", with: "hello") }
            #expect(junkStatus == 1)
            #expect(junkScreen.contains("ipm: that is not the address UPS sent the browser back to"))

            let forged = try world.terminal("oauth", "opt-in", "Acme Logistics", "--paste", "--no-browser")
            let forgedStart = try await onThread { try Self.authorizationURL(on: forged) }
            let forgedBack = try await OptInHarness.signIn(forgedStart, http: http)
            let (forgedStatus, forgedScreen) = try await onThread {
                forged.type(forgedBack.absoluteString.replacingOccurrences(of: "state=", with: "state=x") + "\n")
                return try forged.finish()
            }
            #expect(forgedStatus == 1)
            #expect(forgedScreen.contains("does not belong to any opt-in started here. Nothing was changed"), "\(forgedScreen)")
            #expect(try await world.ipm("oauth", "status", "Acme Logistics", "--json").stdout.contains("\"not_connected\""))

            // The real thing: the CLI starts, the UPS.com user signs in, the admin pastes.
            let session = try world.terminal("oauth", "opt-in", "acme logistics", "--paste", "--no-browser")
            let start = try await onThread { try Self.authorizationURL(on: session) }
            #expect(start.absoluteString.hasPrefix(url.absoluteString + "/security/v1/oauth/authorize?"))
            let back = try await OptInHarness.signIn(start, http: http)
            #expect(back.absoluteString.hasPrefix(OptInHarness.redirect + "?"))
            let (status, screen) = try await onThread {
                session.type(back.absoluteString + "\n")
                return try session.finish()
            }
            #expect(status == 0, "\(screen)")
            #expect(screen.contains("Success — Successfully Opted-In to UPS Online Tools (OAuth)"))
            #expect(sandbox.counters[.codesRedeemed] == 1)
            let after = try #require(try json(try await world.ipm("oauth", "status", "Acme Logistics", "--json")) as? [String: Any])
            #expect(after["status"] as? String == "authenticated")
            #expect(try await world.ipm("oauth", "status", "Acme Logistics").stdout.contains("This company has been authenticated using UPS OAuth"))

            // The same redirect again: used once, nothing changes.
            let again = try world.terminal("oauth", "opt-in", "Acme Logistics", "--paste", "--no-browser")
            let (againStatus, againScreen) = try await onThread {
                _ = try Self.authorizationURL(on: again)
                again.type(back.absoluteString + "\n")
                return try again.finish()
            }
            #expect(againStatus == 1)
            #expect(againScreen.contains("already used"), "\(againScreen)")
        }
    }

    /// `--paste` driven by a program through pipes (a wrapper script, `| tee`): the UPS
    /// address must reach standard output before the command waits for the answer.
    @Test func pasteOptInThroughPipesShowsTheAddressBeforeWaiting() async throws {
        try await withAliceAndSandbox { world, sandbox, url, http in
            let process = try PipedProgram(["oauth", "opt-in", "Acme Logistics", "--paste", "--no-browser"], environment: world.env)
            let line = try await onThread { process.readLine(startingWith: url.absoluteString, seconds: 30) }
            let start = try #require(line.flatMap(URL.init(string:)), "the UPS address never came through the pipe; output so far: \(process.output)")
            let back = try await OptInHarness.signIn(start, http: http)
            process.write(Data((back.absoluteString + "\n").utf8))
            let status = await onThread { process.finish() }
            #expect(status == 0, "\(process.output) \(process.errors)")
            #expect(process.output.contains("Success — Successfully Opted-In to UPS Online Tools (OAuth)"))
            #expect(sandbox.counters[.codesRedeemed] == 1)
        }
    }

    /// A NUL byte or bytes that are not UTF-8 in what is read from standard input: one line,
    /// exit 1, and nothing sent or stored.
    @Test func inputWithANulByteOrInvalidUTF8IsRefused() async throws {
        try await withAliceAndSandbox { world, sandbox, _, _ in
            let sessionsBefore = try await world.database.client.query("SELECT count(*)::bigint AS n FROM admin_sessions").first?.decode(
                "n", as: Int64.self)
            for (bytes, words) in [
                (Array("alice password 1\u{0}x\n".utf8), "NUL byte"), (Array("alice password 1".utf8) + [0xFF, 0xFE, 0x0A], "not valid UTF-8"),
            ] {
                let run = try PipedProgram(["login", "alice", "--password-stdin"], environment: world.env)
                run.write(Data(bytes))
                let status = await onThread { run.finish() }
                #expect(status == 1)
                #expect(
                    run.errors == "ipm: the password contains a \(words); nothing was sent or stored\n"
                        || run.errors == "ipm: the password is \(words); nothing was sent or stored\n", "\(run.errors)")
            }
            let sessionsAfter = try await world.database.client.query("SELECT count(*)::bigint AS n FROM admin_sessions").first?.decode(
                "n", as: Int64.self)
            #expect(sessionsAfter == sessionsBefore, "no sign-in was attempted")

            for bytes in [
                Array("http://127.0.0.1:9/oauth/ups/callback?code=a\u{0}b&state=s\n".utf8),
                Array("http://127.0.0.1:9/oauth/ups/callback?code=".utf8) + [0xC3, 0x28, 0x0A],
            ] {
                let paste = try PipedProgram(["oauth", "opt-in", "Acme Logistics", "--paste", "--no-browser"], environment: world.env)
                paste.write(Data(bytes))
                let status = await onThread { paste.finish() }
                #expect(status == 1)
                #expect(paste.errors.hasPrefix("Address: ipm: the pasted address "), "the prompt, then one line: \(paste.errors)")
                #expect(paste.errors.hasSuffix("; nothing was sent or stored\n"))
            }
            #expect(sandbox.counters[.codesRedeemed] == 0)
            #expect(try await world.ipm("oauth", "status", "Acme Logistics", "--json").stdout.contains("\"not_connected\""))
        }
    }

    /// Waits for the paste prompt and reads the UPS address printed before it.
    static func authorizationURL(on session: TerminalSession) throws -> URL {
        #expect(try session.expect("Address: "))
        let line = session.screen.split(whereSeparator: \.isNewline).first { $0.contains("/security/v1/oauth/authorize?") }
        return try #require(line.flatMap { URL(string: $0.trimmingCharacters(in: .whitespaces)) }, "\(session.screen)")
    }

    @Test func optInWaitsForTheBrowserAndOptOutConfirms() async throws {
        try await withAliceAndSandbox { world, sandbox, url, http in
            let startURL = "\(OptInHarness.publicURL)/oauth/ups/start?company=\(world.acme.id)"

            // Nobody completes it: a clear line and exit 75.
            let timedOut = try await world.ipm("oauth", "opt-in", "Acme Logistics", "--no-browser", "--timeout", "2s")
            #expect(timedOut.status == 75, "\(timedOut.stderr)")
            #expect(timedOut.stdout.contains(startURL + "\n"))
            #expect(timedOut.stderr == "ipm: the opt-in did not complete in time; run `ipm oauth opt-in` again\n")

            // A browser is opened ($BROWSER), the admin completes it there (the web's
            // session binding), and the waiting CLI sees the shared state change.
            let opened = world.configHome.appendingPathComponent("opened.txt")
            let browser = world.configHome.appendingPathComponent("browser.sh")
            try FileManager.default.createDirectory(at: world.configHome, withIntermediateDirectories: true)
            // Written aside and renamed, so the test never reads a file the script has only begun.
            try "#!/bin/sh\necho \"$1\" > '\(opened.path).part' && mv '\(opened.path).part' '\(opened.path)'\n".write(
                to: browser, atomically: true, encoding: .utf8)
            chmod(browser.path, 0o755)
            let waiting = try world.terminal("oauth", "opt-in", "Acme Logistics", "--timeout", "60", extra: ["BROWSER": browser.path])
            #expect(try await onThread { try waiting.expect("Waiting for the opt-in in the browser") })
            #expect(waiting.screen.contains(startURL))
            #expect(waiting.screen.contains("A browser was opened."))
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: opened.path) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try String(contentsOf: opened, encoding: .utf8) == startURL + "\n")
            try await OptInHarness.optIn(
                company: "Acme Logistics", by: "alice", binding: SessionBinding(Secret("web-session")), database: world.database, sandboxURL: url,
                http: http
            )
            let (status, screen) = try await onThread { try waiting.finish(seconds: 30) }
            #expect(status == 0, "\(screen)")
            #expect(screen.contains("Success — Successfully Opted-In to UPS Online Tools (OAuth)"))

            // Opt-out: confirmation needs a terminal or --yes; "no" changes nothing.
            expectOneLineFailure(try await world.ipm("oauth", "opt-out", "Acme Logistics"), "no terminal to confirm the opt-out on; use --yes")
            let declined = try world.terminal("oauth", "opt-out", "Acme Logistics")
            let (declinedStatus, declinedScreen) = try await onThread {
                try declined.answer("Are you sure you want to opt out of UPS Online Tools (OAuth)? [y/N] ", with: "n")
            }
            #expect(declinedScreen.contains("Company: Acme Logistics — Authenticated"))
            #expect(declinedStatus == 1)
            #expect(declinedScreen.contains("opt-out cancelled; nothing was changed"))
            #expect(try await world.ipm("oauth", "status", "Acme Logistics", "--json").stdout.contains("\"authenticated\""))

            let confirmed = try world.terminal("oauth", "opt-out", "Acme Logistics")
            let (confirmedStatus, confirmedScreen) = try await onThread { try confirmed.answer("[y/N] ", with: "y") }
            #expect(confirmedStatus == 0, "\(confirmedScreen)")
            #expect(confirmedScreen.contains("Successfully Opted-Out of UPS Online Tools (OAuth)"))
            let after = try #require(try json(try await world.ipm("oauth", "status", "Acme Logistics", "--json")) as? [String: Any])
            #expect(after["status"] as? String == "opted_out")
            let tokens = try await world.database.client.query(
                "SELECT count(*)::bigint AS n FROM ups_connections WHERE access_token_sealed IS NOT NULL")
            #expect(try tokens[0].decode("n", as: Int.self) == 0, "the tokens are destroyed")
            expectOneLineFailure(
                try await world.ipm("oauth", "opt-out", "Acme Logistics", "--yes"), "cannot opt out: the company's UPS connection is opted out")
            let audit = try await world.ipm("audit", "Acme Logistics", "--limit", "2")
            #expect(audit.stdout.contains("Opted out"))
            #expect(audit.stdout.contains("Opted in"))

            // Both changes reached every admin of the company as notifications; marking them read is per admin.
            let unread = try #require(try json(try await world.ipm("notifications", "--unread", "--json")) as? [[String: Any]])
            #expect(unread.map { $0["kind"] as? String } == ["opted_out", "opted_in"], "newest first")
            #expect(unread.allSatisfy { $0["companyName"] as? String == "Acme Logistics" && $0["read"] as? Bool == false })
            let table = try await world.ipm("notifications", "--mark-read")
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.hasPrefix("WHEN"))
            #expect(table.stdout.contains("Acme Logistics  Opted in"), "\(table.stdout)")
            #expect(table.stderr == "Marked 2 notifications read.\n")
            #expect(try await world.ipm("notifications", "--unread").stdout == "No unread notifications.\n")
            #expect((try json(try await world.ipm("notifications", "--json", "--limit", "1")) as? [[String: Any]])?.first?["read"] as? Bool == true)
            try await world.login("victor")
            #expect((try json(try await world.ipm("notifications", "--unread", "--json")) as? [Any])?.count == 2, "the viewer's are still unread")
            #expect(try await world.ipm("notifications", "--limit", "0").status == 64)
            _ = sandbox
        }
    }

    /// An opt-in of Acme started in "a browser" by alice with `clock`, whose first step at
    /// UPS (the sandbox's authorize fault) lands on UPS's error page.
    private static func optInLostAtUPS(_ world: World, _ url: URL, _ http: HTTPClient, clock: any IPMDomain.Clock) async throws {
        let parts = try OptInHarness.Engine(
            client: world.database.client, sandboxURL: url, http: http, clientID: "cli-client", clientSecret: "cli-secret",
            redirect: OptInHarness.redirect, keys: OptInHarness.k1, clock: clock
        )
        let alice = try #require(try await parts.admins.find(try SignInName("alice")))
        let start = try await parts.engine.start(.id(world.acme.id), by: alice, session: SessionBinding(Secret("web-session")))
        let landed = try await UPSSignInDriver(client: http).redirectTarget(of: start.authorizationURL, method: .GET)
        #expect(landed.absoluteString == AuthorizeFault.upsErrorPage)
    }

    @Test func statusTellsOfAnOptInThatNeverCameBackFromUPS() async throws {
        try await withAliceAndSandbox { world, sandbox, url, http in
            try sandbox.setAuthorizeFault(AuthorizeFault(mode: .errorPage))
            // Started eleven minutes ago: it expired a minute ago without a callback.
            try await Self.optInLostAtUPS(world, url, http, clock: ShiftedClock(seconds: -(AuthorizationRequest.lifetime + 60)))
            let status = try await world.ipm("oauth", "status", "Acme Logistics")
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("Opt-in"))
            #expect(status.stdout.contains("by alice did not come back from UPS and expired at"), "\(status.stdout)")
            #expect(status.stdout.contains("UPS may have shown an error page. Start again."))
            let fields = try #require(try json(try await world.ipm("oauth", "status", "Acme Logistics", "--json")) as? [String: Any])
            let optIn = try #require(fields["optIn"] as? [String: Any], "\(fields)")
            #expect(optIn["state"] as? String == "expired" && optIn["startedBy"] as? String == "alice")
            #expect(fields["status"] as? String == "not_connected")
        }
    }

    @Test func theWaitEndsWithTheReasonWhenTheBrowsersOptInExpires() async throws {
        try await withAliceAndSandbox { world, sandbox, url, http in
            try sandbox.setAuthorizeFault(AuthorizeFault(mode: .errorPage))
            let waiting = try world.terminal("oauth", "opt-in", "Acme Logistics", "--no-browser", "--timeout", "60")
            #expect(try await onThread { try waiting.expect("Waiting up to") })
            let began = ContinuousClock.now
            // Started in the browser now, by a clock that lets it expire within five seconds.
            try await Self.optInLostAtUPS(world, url, http, clock: ShiftedClock(seconds: -(AuthorizationRequest.lifetime - 5)))
            let (status, screen) = try await onThread { try waiting.finish(seconds: 40) }
            #expect(status == 75, "\(screen)")
            #expect(screen.contains("The opt-in was started in the browser by alice; it must finish at UPS by "), "\(screen)")
            #expect(screen.contains("by alice did not come back from UPS and expired at"), "\(screen)")
            #expect(screen.contains("UPS may have shown an error page. Start again."))
            #expect(ContinuousClock.now - began < .seconds(40), "the wait ends at the expiry, not at --timeout")
        }
    }

    /// The system time moved by a fixed amount, to the microsecond like `SystemClock`.
    struct ShiftedClock: IPMDomain.Clock {
        let seconds: TimeInterval
        func now() -> Date { SystemClock().now().addingTimeInterval(seconds) }
    }

    @Test func colourOnlyOnATerminalHelpAndCompletionScripts() async throws {
        try await withWorld { world in
            try await world.login("alice")
            let coloured = try world.terminal("companies", extra: ["TERM": "xterm", "NO_COLOR": ""])
            let (status, screen) = try await onThread { try coloured.finish() }
            #expect(status == 0)
            #expect(screen.contains("\u{1B}[2mNot connected"), "\(screen)")
            let plain = try world.terminal("companies", extra: ["TERM": "xterm", "NO_COLOR": "1"])
            let (_, plainScreen) = try await onThread { try plain.finish() }
            #expect(plainScreen.contains("Not connected"))
            #expect(!plainScreen.contains("\u{1B}["), "NO_COLOR is respected")

            let help = try await world.ipm("--help")
            let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(words.contains("77 not signed in"))
            #expect(
                words.contains(
                    "75 try again later: `ipm oauth opt-in` waited and the opt-in did not complete in time, or the server could not be reached"))
            #expect(words.contains("130 Ctrl-C stopped the wait"))
            #expect(words.contains("--server URL (or IPM_SERVER)"))
            for shell in ["bash", "zsh", "fish"] {
                let script = try await world.ipm("--generate-completion-script", shell)
                #expect(script.status == 0)
                #expect(script.stdout.contains("opt-in") && script.stdout.contains("companies"), "\(shell)")
            }
        }
    }
}

/// `ipm` with its standard input and output as pipes, read as the program writes (a program
/// driving the CLI), and its standard input written in raw bytes.
final class PipedProgram: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe(), outputPipe = Pipe(), errorPipe = Pipe()
    private let lock = NSLock()
    private var outputData = Data(), errorData = Data()

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: try Programs.path("ipm"))
        process.arguments = arguments
        process.environment = Programs.environment(environment)
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        outputPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            self?.lock.withLock { self?.outputData.append(chunk) }
        }
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            self?.lock.withLock { self?.errorData.append(chunk) }
        }
        try process.run()
    }

    var output: String { lock.withLock { String(decoding: outputData, as: UTF8.self) } }
    var errors: String { lock.withLock { String(decoding: errorData, as: UTF8.self) } }

    /// The first whole line of standard output that starts with `prefix`, waiting up to `seconds`.
    func readLine(startingWith prefix: String, seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first(where: { $0.hasPrefix(prefix) }) {
                return String(line)
            }
            if !process.isRunning { return nil }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    func write(_ data: Data) {
        input.fileHandleForWriting.write(data)
    }

    /// Closes standard input, waits for the exit and the last output; the exit status.
    func finish() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        // The handlers may still hold the last chunks.
        for pipe in [outputPipe, errorPipe] {
            pipe.fileHandleForReading.readabilityHandler = nil
            let rest = pipe.fileHandleForReading.readDataToEndOfFile()
            lock.withLock { if pipe === outputPipe { outputData.append(rest) } else { errorData.append(rest) } }
        }
        return process.terminationStatus
    }
}
