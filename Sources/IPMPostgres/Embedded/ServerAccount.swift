import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The account the PostgreSQL processes run as.
///
/// initdb and postgres refuse to run as root, so a root process runs them as the
/// unprivileged `postgres` user through `runuser` and hands it the directories it writes.
enum ServerAccount: Sendable {
    case currentUser
    case unprivileged(name: String, uid: uid_t, gid: gid_t, runuser: URL)

    static let unprivilegedName = "postgres"

    static func resolve() throws(EmbeddedPostgresError) -> Self {
        guard geteuid() == 0 else { return .currentUser }
        guard let entry = getpwnam(unprivilegedName) else {
            throw .noUnprivilegedUser(unprivilegedName)
        }
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
            .map { URL(filePath: $0) }
            .first(where: PostgresServerBinaries.isExecutable)
        guard let runuser else { throw .noUnprivilegedUser(unprivilegedName) }
        return .unprivileged(
            name: unprivilegedName,
            uid: entry.pointee.pw_uid,
            gid: entry.pointee.pw_gid,
            runuser: runuser
        )
    }

    var name: String {
        switch self {
        case .currentUser: ProcessInfo.processInfo.userName
        case .unprivileged(let name, _, _, _): name
        }
    }

    /// Runs a server binary as this account; `leavesDaemon` for `pg_ctl start`.
    func run(_ executable: URL, _ arguments: [String], in directory: URL, leavesDaemon: Bool = false) throws -> ChildProcess.Result {
        let (command, commandArguments) =
            switch self {
            case .currentUser: (executable, arguments)
            case .unprivileged(let name, _, _, let runuser): (runuser, ["-u", name, "--", executable.path] + arguments)
            }
        return leavesDaemon
            ? try ChildProcess.runLeavingDaemon(command, commandArguments, currentDirectory: directory)
            : try ChildProcess.run(command, commandArguments, currentDirectory: directory)
    }

    /// Gives a file or directory we created to this account (no-op for the current user).
    func takeOwnership(of url: URL) throws(EmbeddedPostgresError) {
        guard case .unprivileged(_, let uid, let gid, _) = self else { return }
        if chown(url.path, uid, gid) != 0 {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
            throw .fileSystem("give \(url.path) to the \(name) user", error)
        }
    }

    /// Checks that this account can write into `directory`, which it owns; it fails
    /// only when a parent directory is not traversable (e.g. under /root, mode 700).
    func checkCanReach(_ directory: URL, stateDirectory: URL) throws(EmbeddedPostgresError) {
        guard case .unprivileged(let name, _, _, _) = self else { return }
        let test = URL(filePath: "/usr/bin/test")
        let result = try? run(
            PostgresServerBinaries.isExecutable(test) ? test : URL(filePath: "/bin/test"),
            ["-w", directory.path, "-a", "-x", directory.path],
            in: URL(filePath: "/")
        )
        guard let result, result.succeeded else {
            throw .stateDirectoryNotReachable(stateDirectory.path, user: name)
        }
    }
}
