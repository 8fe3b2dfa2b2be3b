import Foundation
import IPMDomain
import IPMTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `ipm-tui` in a real terminal (tmux) against a real `ipm-server`, PostgreSQL and
/// ups-sandbox: the admin's journey, and the terminal exactly as it was after `q` and SIGTERM.
@Suite(
    "ipm-tui in a real terminal", .serialized, OneServer(), .enabled(if: Tmux.available, "tmux is not installed"), .timeLimit(.minutes(3))
)
struct TUIJourneyTests {
    private func served() throws -> Served {
        try #require(Served.current, "the suite's server is not running")
    }

    @Test func signInOptInWithoutAKeyPressOptOutActivityAndQuit() async throws {
        let served = try served()
        let cli = served.client()
        defer { try? FileManager.default.removeItem(at: cli.configHome) }
        let tui = try await Tmux.start("ipm-tui", environment: cli.env)
        defer { tui.stop() }

        await tui.waitFor("Sign in to Intelligent Pickup Manager")
        try await tui.type("alice")
        try await tui.press("Enter")
        try await tui.type(AdminCLITests.passwords["alice"]!)
        #expect(!(await tui.screen()).contains(AdminCLITests.passwords["alice"]!), "the password is masked")
        try await tui.press("Enter")
        // At 80 columns the name column cuts "Acme Logistics" to "Acme Logisti…".
        var screen = await tui.waitFor("Acme Logisti")
        #expect(screen.contains("Not connected"), "\(screen)")
        #expect(screen.contains("IPM — Companies"))
        #expect(screen.split(separator: "\n").allSatisfy { $0.count <= 80 })

        // Opted in elsewhere (a browser session): the row turns Authenticated with no key pressed.
        try await OptInHarness.optIn(
            company: "Acme Logistics", by: "alice", binding: SessionBinding(Secret("tui-web-session")),
            database: served.world.database, sandboxURL: served.sandboxURL, http: served.http
        )
        screen = await tui.waitFor("Authenticated")
        #expect(screen.split(separator: "\n").first { $0.contains("Acme Logisti") }?.contains("Authenticated") == true, "\(screen)")

        // The company, in the seed's words; the opt-out dialog defaults to No.
        try await tui.press("Enter")
        await tui.waitFor("This company has been authenticated using UPS OAuth")
        try await tui.press("x")
        await tui.waitFor("Are you sure you want to opt out of UPS Online Tools (OAuth)?")
        try await tui.press("Enter")
        await tui.waitFor("Opt-out cancelled; nothing was changed.")
        try await tui.press("x")
        await tui.waitFor("Are you sure you want to opt out")
        try await tui.press("Left")
        try await tui.press("Enter")
        await tui.waitFor("Successfully Opted-Out of UPS Online Tools (OAuth)")
        await tui.waitFor("Opted out")

        // The activity, newest first.
        try await tui.press("a")
        screen = await tui.waitFor("Opted in")
        let lines = screen.split(separator: "\n").map(String.init).drop { !$0.contains("Activity of Acme Logistics") }
        let optedOut = lines.firstIndex { $0.contains("Opted out") }
        let optedIn = lines.firstIndex { $0.contains("Opted in") }
        #expect(optedOut != nil && optedIn != nil && optedOut! < optedIn!, "newest first:\n\(screen)")

        // Opt-in from the TUI shows IPM's own start address and waits; Esc stops waiting.
        try await tui.press("Escape")
        await tui.waitFor("a Activity")
        try await tui.press("o")
        await tui.waitFor("\(OptInHarness.publicURL)/oauth/ups/start?company=\(served.world.acme.id)")
        await tui.waitFor("left")
        try await tui.press("Escape")
        await tui.waitFor("Stopped waiting")

        try await tui.press("q")
        let end = await tui.finished()
        #expect(end.status == 0)
        #expect(!end.before.isEmpty && end.before == end.after, "stty -g before \(end.before) after \(end.after)")
    }

    @Test func reusesTheSessionOfIpmLoginAndRestoresTheTerminalOnSIGTERM() async throws {
        let served = try served()
        let cli = served.client()
        defer { try? FileManager.default.removeItem(at: cli.configHome) }
        try await cli.login("victor")
        let tui = try await Tmux.start("ipm-tui", environment: cli.env)
        defer { tui.stop() }
        await tui.waitFor("Acme Logisti")
        // A viewer sees the actions disabled, with why.
        try await tui.press("Enter")
        await tui.waitFor("Opt-in and opt-out are disabled: your role (viewer) can only view this company.")
        let pid = try #require(try await tui.programID())
        #expect(kill(pid, SIGTERM) == 0)
        let end = await tui.finished()
        #expect(end.status == 128 + SIGTERM)
        #expect(!end.before.isEmpty && end.before == end.after, "stty -g before \(end.before) after \(end.after)")
        #expect(!(await tui.screen()).contains("Acme Logisti"), "the alternate screen is gone")
        // Stopping the terminal ends its processes too (a child that inherited the test
        // process's blocked signals used to outlive kill-server).
        let pane = try await tui.tmux(["display-message", "-p", "-t", "tui", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let panePID = try #require(pid_t(pane))
        tui.stop()
        var gone = false
        for _ in 0..<50 where !gone {
            gone = kill(panePID, 0) != 0
            if !gone { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(gone, "the pane's shell \(panePID) still runs after kill-server")
    }

    @Test func refusesWithOneLineWithoutATerminal() async throws {
        let run = try await Programs.run("ipm-tui", [], environment: ["IPM_SERVER": "http://127.0.0.1:1"])
        #expect(run.status == 1)
        #expect(run.stderr == "ipm-tui: standard input and output must both be a terminal; use `ipm` in scripts and pipes\n")
        #expect(run.stdout.isEmpty)
    }
}
