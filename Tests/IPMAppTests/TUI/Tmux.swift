import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real terminal for `ipm-tui`: a detached tmux session of its own (own server socket),
/// 80×24 unless told otherwise, driven with send-keys and read with capture-pane. The pane
/// runs a small shell script that records `stty -g` before and after the program, and its
/// exit status.
struct Tmux: Sendable {
    let socket: String
    let directory: URL

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// Starts `program` with `arguments` and `environment` (on top of `Programs.environment`).
    static func start(
        _ program: String, _ arguments: [String] = [], environment: [String: String], columns: Int = 80, rows: Int = 24
    ) async throws -> Tmux {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-tui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tmux = Tmux(socket: "ipm-tui-\(UUID().uuidString.prefix(8))", directory: directory)
        var lines = ["#!/bin/sh"]
        for (key, value) in Programs.environment(environment.merging(["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]) { $1 })
        where key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            lines.append("export \(key)=\(shellQuoted(value))")
        }
        let command = ([try Programs.path(program)] + arguments).map(shellQuoted).joined(separator: " ")
        lines += [
            "stty -g > \(directory.path)/before",
            command,
            "echo $? > \(directory.path)/status.tmp && mv \(directory.path)/status.tmp \(directory.path)/status",
            "stty -g > \(directory.path)/after",
            "exec sleep 600",
        ]
        let script = directory.appendingPathComponent("run.sh")
        try lines.joined(separator: "\n").write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o700)
        let socket = tmux.socket
        let path = script.path
        _ = try await onThread {
            try runTmux(socket: socket, ["-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "\(columns)", "-y", "\(rows)", path])
        }
        return tmux
    }

    /// Runs tmux on a thread of its own (`onThread`): a child waited for on the cooperative
    /// pool starves the test process.
    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        let socket = socket
        return try await onThread { try Self.runTmux(socket: socket, arguments) }
    }

    /// posix_spawn + waitpid, standard output to a file: `new-session` forks the tmux server,
    /// which keeps whatever descriptors it inherited, so a pipe would never reach EOF and
    /// Foundation's `Process` would not report the client's exit.
    static func runTmux(socket: String, _ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-tmux-\(UUID().uuidString).out").path
        defer { unlink(output) }
        let argv = ["/usr/bin/tmux", "-u", "-L", socket] + arguments
        let environment = ["LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin", "TERM=xterm-256color"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in cArguments + cEnvironment { free(pointer) } }
        // The test process blocks most signals on its threads, and a spawned child inherits the
        // mask: the tmux server and the pane's shell would then never see SIGHUP, SIGTERM or
        // SIGCHLD, and kill-server would leave them running. Children start unblocked, with
        // default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGPIPE, SIGWINCH] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw TmuxError("tmux \(arguments.joined(separator: " ")) could not start: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard (status & 0x7f) == 0, (status >> 8) & 0xff == 0 else {
            throw TmuxError("tmux \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        return text
    }

    /// The screen as text, one line per row.
    func screen() async -> String {
        (try? await tmux(["capture-pane", "-p", "-t", "tui"])) ?? ""
    }

    /// Named keys (`Enter`, `Escape`, `Left`, `q`…).
    func press(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", "tui"] + keys)
    }

    /// Literal text, as typed.
    func type(_ text: String) async throws {
        try await tmux(["send-keys", "-t", "tui", "-l", text])
    }

    /// Waits until the screen contains `text` (lines joined, so a wrapped address counts, and
    /// runs of blanks taken as one, so a wrapped sentence does); the screen then.
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) async -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = await screen()
            if last.contains(text) || last.replacingOccurrences(of: "\n", with: "").contains(text)
                || Self.squeezed(last).contains(Self.squeezed(text))
            {
                return last
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("not on the screen after \(seconds) s: \(text)\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// The program's exit status once it ended, with `stty -g` from before and after it.
    func finished(seconds: Double = 20) async -> (status: Int32?, before: String, after: String) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status = try? String(contentsOf: directory.appendingPathComponent("status"), encoding: .utf8) {
                try? await Task.sleep(for: .milliseconds(300))
                let read = { (name: String) in (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
                return (Int32(status.trimmingCharacters(in: .whitespacesAndNewlines)), read("before"), read("after"))
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return (nil, "", "")
    }

    /// The program's process id: the child of the pane's shell.
    func programID() async throws -> pid_t? {
        let shell = try await tmux(["display-message", "-p", "-t", "tui", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm)": state, then the parent's id.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, String(fields[1]) == shell { return pid_t(entry) }
        }
        return nil
    }

    func stop() {
        _ = try? Self.runTmux(socket: socket, ["kill-server"])
        try? FileManager.default.removeItem(at: directory)
    }

    struct TmuxError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private static func squeezed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
