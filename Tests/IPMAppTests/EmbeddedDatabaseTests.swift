import Foundation
import IPMApp
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The embedded PostgreSQL that IPM programs share (decision 72): started once by whichever
/// program needs it first, still up after a command, stopped by its idle watcher. Real `ipm`
/// processes, each test on a state directory of its own.
@Suite("Embedded PostgreSQL between commands", .serialized)
struct EmbeddedDatabaseTests {
    /// One machine's IPM state: a short state directory (the socket path must stay under
    /// 100 bytes), its settings, and everything stopped and removed afterwards.
    struct Machine {
        let directory: URL
        let environment: [String: String]

        init(idleStop: String) throws {
            directory = URL(fileURLWithPath: "/tmp/ipm-edb-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // As root, the postgres user must traverse it.
            chmod(directory.path, 0o755)
            environment = [
                "IPM_STATE_DIR": directory.appendingPathComponent("state").path, "IPM_EMBEDDED_IDLE_STOP": idleStop,
                "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
            ]
        }

        /// Runs `body`, then stops the cluster and removes the directory whatever happened.
        func use(_ body: (Machine) async throws -> Void) async throws {
            do {
                try await body(self)
            } catch {
                await tearDown()
                throw error
            }
            await tearDown()
        }

        func ipm(_ arguments: String..., stdin: String? = nil) async throws -> ProgramRun {
            try await Programs.run("ipm", arguments, environment: environment, stdin: stdin)
        }

        private var data: URL { directory.appendingPathComponent("state/postgres/data") }

        /// The postmaster `postmaster.pid` names, when it is a live process.
        var postmasterPID: Int32? {
            guard let text = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8),
                let pid = text.split(separator: "\n").first.flatMap({ Int32($0) })
            else { return nil }
            return isAlive(pid) ? pid : nil
        }

        var pidFileExists: Bool { FileManager.default.fileExists(atPath: data.appendingPathComponent("postmaster.pid").path) }

        /// How many times a server came up on this cluster, from its log.
        var startsLogged: Int {
            let log = (try? String(contentsOf: directory.appendingPathComponent("state/postgres/server.log"), encoding: .utf8)) ?? ""
            return log.components(separatedBy: "database system is ready to accept connections").count - 1
        }

        /// `ipm database status --json`.
        func status() async throws -> [String: Any] {
            let run = try await ipm("database", "status", "--json")
            #expect(run.status == 0, "\(run.stderr)")
            return try #require(try json(run) as? [String: Any], "\(run.stdout)")
        }

        func tearDown() async {
            _ = try? await ipm("database", "stop", "--force")
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Alive and not a zombie (a killed process nobody reaps stays one in containers).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno != ESRCH else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
        return state != "Z" && state != "X"
    }

    /// Polls `condition` every 100 ms for at most `seconds`.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test("two commands at once on a stopped cluster start it once, and leave it running")
    func twoCommandsStartItOnce() async throws {
        try await Machine(idleStop: "60").use { machine in
            let created = try await machine.ipm("company", "create", "Acme Logistics")
            #expect(created.status == 0, "\(created.stderr)")
            #expect(machine.postmasterPID != nil, "the cluster stopped with the command")
            let stopped = try await machine.ipm("database", "stop")
            #expect(stopped.status == 0, "\(stopped.stderr)")
            #expect(stopped.stdout.contains("Stopped the embedded PostgreSQL"), "\(stopped.stdout)")
            #expect(machine.postmasterPID == nil)

            let before = machine.startsLogged
            async let first = machine.ipm("company", "list")
            async let second = machine.ipm("company", "list")
            let (one, two) = try await (first, second)
            #expect(one.status == 0, "\(one.stderr)")
            #expect(two.status == 0, "\(two.stderr)")
            #expect(one.stdout.contains("Acme Logistics") && two.stdout.contains("Acme Logistics"), "\(one.stdout)\n\(two.stdout)")
            #expect(machine.startsLogged == before + 1, "the cluster was started \(machine.startsLogged - before) times")
            #expect(machine.postmasterPID != nil, "the cluster did not stay up")

            let status = try await machine.status()
            #expect(status["running"] as? Bool == true, "\(status)")
            #expect(status["watcherPID"] as? Int != nil, "no idle watcher: \(status)")
            #expect(status["idleStopSeconds"] as? Int == 60, "\(status)")
        }
    }

    @Test("the cluster stays up after a command, waits for a connected client, then stops by itself")
    func stopsByItselfWhenIdle() async throws {
        try await Machine(idleStop: "3s").use { machine in
            let listed = try await machine.ipm("company", "list")
            #expect(listed.status == 0, "\(listed.stderr)")
            let pid = try #require(machine.postmasterPID, "the cluster stopped with the command")

            // A client other than IPM (psql) keeps it up while connected, longer than the idle period.
            let socket = machine.directory.appendingPathComponent("state/postgres/socket").path
            async let client = Programs.run(
                "/usr/bin/psql", ["-X", "-q", "host=\(socket) port=5432 dbname=ipm user=ipm", "-c", "SELECT pg_sleep(6)"])
            try await Task.sleep(for: .milliseconds(4500))
            #expect(machine.postmasterPID == pid, "stopped while a client was connected")
            let psql = try await client
            #expect(psql.status == 0, "\(psql.stderr)")

            let stopped = await Self.eventually(30) { machine.postmasterPID == nil }
            #expect(stopped, "still running long after the idle period")
            #expect(!machine.pidFileExists, "not stopped cleanly")
            let status = try await machine.status()
            #expect(status["running"] as? Bool == false, "\(status)")
            #expect(await Self.eventually(10) { (try? await machine.status())?["watcherPID"] == nil }, "the idle watcher did not end")

            // And the next command simply starts it again.
            let again = try await machine.ipm("company", "list")
            #expect(again.status == 0, "\(again.stderr)")
            #expect(machine.postmasterPID != nil)
        }
    }

    @Test("a killed idle watcher or a killed postmaster (stale postmaster.pid) blocks nothing")
    func killedWatcherAndStalePIDFile() async throws {
        try await Machine(idleStop: "60").use { machine in
            let created = try await machine.ipm("company", "create", "Acme Logistics")
            #expect(created.status == 0, "\(created.stderr)")
            let first = try await machine.status()
            let watcher = try #require((first["watcherPID"] as? Int).map(Int32.init), "no idle watcher: \(first)")
            #expect(kill(watcher, SIGKILL) == 0)
            #expect(await Self.eventually(10) { !Self.isAlive(watcher) })

            let listed = try await machine.ipm("company", "list")
            #expect(listed.status == 0, "\(listed.stderr)")
            let second = try await machine.status()
            let replacement = try #require((second["watcherPID"] as? Int).map(Int32.init), "no idle watcher after the kill: \(second)")
            #expect(replacement != watcher)

            let postmaster = try #require(machine.postmasterPID)
            #expect(kill(postmaster, SIGKILL) == 0)
            #expect(await Self.eventually(10) { !Self.isAlive(postmaster) })
            #expect(machine.pidFileExists, "postmaster.pid should be left behind by the kill")

            let recovered = try await machine.ipm("company", "list")
            #expect(recovered.status == 0, "\(recovered.stderr)")
            #expect(recovered.stdout.contains("Acme Logistics"), "\(recovered.stdout)")
            let restarted = try #require(machine.postmasterPID, "not running after the recovery")
            #expect(restarted != postmaster)
            let third = try await machine.status()
            #expect(third["watcherPID"] as? Int != nil, "no idle watcher after the recovery: \(third)")
        }
    }

    @Test("`ipm companies` prints the same cold, warm, and as the admin's table")
    func companiesOutputUnchanged() async throws {
        try await Machine(idleStop: "60").use { machine in
            let admin = try await machine.ipm("admin", "create", "alice", "--password-stdin", stdin: "a long password 1\n")
            #expect(admin.status == 0, "\(admin.stderr)")
            for company in ["CSShipQA", "Acme Logistics"] {
                #expect(try await machine.ipm("company", "create", company).status == 0)
                #expect(try await machine.ipm("company", "add-admin", company, "alice", "--role", "admin").status == 0)
            }
            let login = try await machine.ipm("login", "alice", "--password-stdin", stdin: "a long password 1\n")
            #expect(login.status == 0, "\(login.stderr)")

            let warm = try await machine.ipm("companies")
            #expect(try await machine.ipm("database", "stop").status == 0)
            let cold = try await machine.ipm("companies")
            let again = try await machine.ipm("companies")
            for run in [warm, cold, again] {
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stderr.isEmpty, "\(run.stderr)")
            }
            #expect(cold.stdout == warm.stdout)
            #expect(again.stdout == warm.stdout)
            // Columns as before, SINCE (the minute each company was created) aside.
            let lines = warm.stdout.split(separator: "\n").map { line in
                line.split(separator: " ").joined(separator: " ").replacing(#/ \d{4}-\d{2}-\d{2} \d{2}:\d{2}Z$/#, with: "")
            }
            #expect(lines == ["COMPANY ROLE UPS OAUTH HEALTH SINCE", "Acme Logistics admin Not connected -", "CSShipQA admin Not connected -"])
        }
    }
}

/// `IPM_EMBEDDED_IDLE_STOP`: seconds, or with a unit; one line for anything else.
@Suite("Embedded idle stop setting")
struct EmbeddedIdleStopSettingTests {
    @Test func defaultsToTenMinutesAndTakesUnits() throws {
        #expect(try IPMConfiguration.load(environment: [:]).embeddedIdleStop == 600)
        for (value, seconds) in [("0", 0), ("45", 45), ("45s", 45), ("10m", 600), ("2h", 7200)] {
            #expect(try IPMConfiguration.load(environment: ["IPM_EMBEDDED_IDLE_STOP": value]).embeddedIdleStop == seconds)
        }
        for value in ["soon", "-1", "10d", "m", "8d", "200h", "99999999999999999999h"] {
            #expect {
                try IPMConfiguration.load(environment: ["IPM_EMBEDDED_IDLE_STOP": value])
            } throws: { error in
                "\(error)" == "IPM_EMBEDDED_IDLE_STOP: expected seconds from 0 to 604800, as 600, 90s, 10m or 1h, got '\(value)'"
            }
        }
    }
}
