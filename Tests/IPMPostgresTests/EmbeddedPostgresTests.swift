import Foundation
import Logging
import Testing

@testable import IPMPostgres

#if canImport(Glibc)
import Glibc
#endif

/// Starts real clusters with initdb/pg_ctl in throwaway directories under /tmp (which the
/// `postgres` user can traverse when the tests run as root).
@Suite("Embedded PostgreSQL")
struct EmbeddedPostgresTests {
    private static let logger = Logger(label: "EmbeddedPostgresTests") { _ in SwiftLogNoOpLogHandler() }

    /// A fresh, short state directory (the socket path must stay under 100 bytes).
    private static func temporaryStateDirectory() throws -> URL {
        let url = URL(filePath: "/tmp/ipm-ept-\(UUID().uuidString.prefix(8))", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `psql -c sql`, unaligned tuples only; throws with psql's output when it fails.
    private static func psql(_ connectionString: String, _ sql: String) throws -> String {
        let result = try ChildProcess.run(
            URL(filePath: "/usr/bin/psql"), ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", connectionString, "-c", sql])
        guard result.succeeded else { throw PSQLFailed(transcript: result.transcript) }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `start()`, recording the failing command's output when it throws.
    private static func start(_ postgres: EmbeddedPostgres) throws -> EmbeddedPostgres.Handle {
        do {
            return try postgres.start()
        } catch {
            Issue.record("\(error.debugDescription)")
            throw error
        }
    }

    private struct PSQLFailed: Error, CustomStringConvertible {
        let transcript: String
        var description: String { transcript }
    }

    @Test("starts, accepts connections, stops, and keeps its data for the next run")
    func startStopRestart() throws {
        let stateDirectory = try Self.temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let postgres = EmbeddedPostgres(stateDirectory: stateDirectory, logger: Self.logger)

        let first = try Self.start(postgres)
        defer { try? postgres.stop(first) }
        #expect(first.startedByUs)
        #expect(first.dataDirectory.path == stateDirectory.appending(path: "postgres/data").path)
        #expect(first.connectionString.contains("dbname=ipm"))
        #expect(first.connectionString.contains("user=ipm"))
        #expect(try Self.psql(first.connectionString, "select 1") == "1")
        #expect(try Self.psql(first.connectionString, "show listen_addresses") == "")
        #expect(try Self.psql(first.connectionString, "show server_encoding") == "UTF8")
        _ = try Self.psql(first.connectionString, "create table kept (value text); insert into kept values ('run 1')")
        try postgres.stop(first)
        #expect(!FileManager.default.fileExists(atPath: first.dataDirectory.appending(path: "postmaster.pid").path))

        let second = try Self.start(postgres)
        defer { try? postgres.stop(second) }
        #expect(second.startedByUs)
        #expect(try Self.psql(second.connectionString, "select value from kept") == "run 1")
        try postgres.stop(second)
    }

    @Test("a second start while running reuses the server and does not own it")
    func reuseRunningServer() throws {
        let stateDirectory = try Self.temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let postgres = EmbeddedPostgres(stateDirectory: stateDirectory, logger: Self.logger)

        let owner = try Self.start(postgres)
        defer { try? postgres.stop(owner) }
        let guest = try Self.start(postgres)
        #expect(owner.startedByUs)
        #expect(!guest.startedByUs)
        #expect(guest.connectionString == owner.connectionString)

        try postgres.stop(guest)  // not ours: a no-op
        #expect(try Self.psql(owner.connectionString, "select 1") == "1")
        try postgres.stop(owner)
    }

    @Test("recovers after the postmaster was killed with SIGKILL")
    func crashRecovery() throws {
        let stateDirectory = try Self.temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let postgres = EmbeddedPostgres(stateDirectory: stateDirectory, logger: Self.logger)

        let first = try Self.start(postgres)
        _ = try Self.psql(first.connectionString, "create table survivor (id int); insert into survivor values (42)")
        let pidFile = try #require(PostmasterPIDFile(contentsOf: first.dataDirectory.appending(path: "postmaster.pid")))
        #expect(kill(pidFile.pid, SIGKILL) == 0)
        let deadline = ContinuousClock.now + .seconds(10)
        while pidFile.processState == .alive && ContinuousClock.now < deadline { usleep(50_000) }
        #expect(pidFile.processState == .gone)

        let second = try Self.start(postgres)
        defer { try? postgres.stop(second) }
        #expect(second.startedByUs)
        #expect(try Self.psql(second.connectionString, "select id from survivor") == "42")
        try postgres.stop(second)
    }

    @Test("missing server binaries name the Debian package in one line")
    func missingBinaries() throws {
        let stateDirectory = try Self.temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let emptyBin = stateDirectory.appending(path: "empty-bin", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: emptyBin, withIntermediateDirectories: true)
        let postgres = EmbeddedPostgres(stateDirectory: stateDirectory, logger: Self.logger, binarySearchDirectories: [emptyBin])

        let error = #expect(throws: EmbeddedPostgresError.self) { try postgres.start() }
        #expect(error == .binariesNotFound)
        let description = error?.description ?? ""
        #expect(description.contains("apt-get install postgresql"))
        #expect(description.contains("initdb"))
        #expect(description.contains("IPM_DATABASE_URL"))
        #expect(!description.contains("\n"))
    }

    @Test("a socket path too long for a unix socket fails clearly")
    func socketPathTooLong() throws {
        let stateDirectory = try Self.temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let deep = stateDirectory.appending(path: String(repeating: "d", count: 90), directoryHint: .isDirectory)
        let postgres = EmbeddedPostgres(stateDirectory: deep, logger: Self.logger)

        let error = #expect(throws: EmbeddedPostgresError.self) { try postgres.start() }
        #expect(error == .socketPathTooLong)
        #expect(error?.description.contains("IPM_STATE_DIR") == true)
    }

    @Test("as root, a state directory the postgres user cannot reach fails clearly", .enabled(if: geteuid() == 0))
    func unreachableStateDirectory() throws {
        let stateDirectory = try Self.temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let privateParent = stateDirectory.appending(path: "private", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: privateParent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let postgres = EmbeddedPostgres(stateDirectory: privateParent.appending(path: "state"), logger: Self.logger)

        let error = #expect(throws: EmbeddedPostgresError.self) { try postgres.start() }
        #expect(error == .stateDirectoryNotReachable)
        #expect(error?.description.contains("IPM_STATE_DIR=/var/lib/ipm") == true)
        #expect(error?.description.contains("\n") == false)
    }
}
