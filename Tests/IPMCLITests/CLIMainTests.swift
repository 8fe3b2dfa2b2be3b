import IPMCLI
import IPMDomain
import Testing

struct Unreachable: Error, CustomStringConvertible {
    var description: String { "cannot use the database from IPM_DATABASE_URL: the database is unreachable" }
}

/// The command line's contract without a database: parsing, exit codes, and that the
/// context is only built for commands that need it.
@Suite("ipm command line")
struct CLIMainTests {
    /// A factory that records whether it was asked, and fails like an unreachable database.
    final class RecordingFactory: @unchecked Sendable {
        var requests: [Bool] = []
        var factory: OperatorContextFactory {
            OperatorContextFactory(generateKey: { id in "\(id):generated" }) { forMigration in
                self.requests.append(forMigration)
                throw Unreachable()
            }
        }
    }

    @Test func versionAndHelpNeedNoDatabase() async {
        let recorder = RecordingFactory()
        #expect(await IPMCLIMain.run(["--version"], factory: recorder.factory) == 0)
        #expect(await IPMCLIMain.run(["--help"], factory: recorder.factory) == 0)
        #expect(await IPMCLIMain.run(["admin"], factory: recorder.factory) == 0, "a command group prints its help")
        #expect(recorder.requests.isEmpty)
    }

    @Test func aWrongCommandLineExitsWithUsage() async {
        let recorder = RecordingFactory()
        #expect(await IPMCLIMain.run(["frobnicate"], factory: recorder.factory) == 64)
        #expect(await IPMCLIMain.run(["admin", "create"], factory: recorder.factory) == 64)
        #expect(await IPMCLIMain.run(["company", "list", "--bogus"], factory: recorder.factory) == 64)
        #expect(recorder.requests.isEmpty)
    }

    @Test func migrationCommandsAskForAnUnmigratedContext() async {
        let recorder = RecordingFactory()
        #expect(await IPMCLIMain.run(["migrate"], factory: recorder.factory) == 1)
        #expect(await IPMCLIMain.run(["migrate", "status"], factory: recorder.factory) == 1)
        #expect(await IPMCLIMain.run(["company", "list"], factory: recorder.factory) == 1)
        #expect(recorder.requests == [true, true, false])
    }
}
