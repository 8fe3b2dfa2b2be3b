import Foundation
import IPMPostgres

#if canImport(Glibc)
import Glibc
#endif

/// The embedded PostgreSQL's idle watcher is the program that started it, run again as
/// `<program> --embedded-postgres-idle-watcher STATE_DIR SECONDS` (ipm, ipm-tui and
/// ipm-server all answer to it before parsing their command line): detached, it stops the
/// server once nothing has used it for SECONDS (decision 72).
enum EmbeddedIdleWatcher {
    static let flag = "--embedded-postgres-idle-watcher"

    /// How the embedded server starts the watcher; `nil` with `IPM_EMBEDDED_IDLE_STOP=0`.
    static func watcher(for configuration: IPMConfiguration) -> EmbeddedPostgres.IdleWatcher? {
        guard configuration.embeddedIdleStop > 0, let executable = currentExecutable() else { return nil }
        return EmbeddedPostgres.IdleWatcher(
            idleStop: .seconds(configuration.embeddedIdleStop), executable: executable,
            arguments: [flag, configuration.stateDirectory.path, String(configuration.embeddedIdleStop)]
        )
    }

    /// When this process was started as the watcher: watches, then exits.
    static func runIfRequested(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count >= 2, arguments[1] == flag else { return }
        guard arguments.count == 4, arguments[2].hasPrefix("/"), let seconds = Int(arguments[3]), seconds > 0 else {
            FileHandle.standardError.write(Data("usage: \(flag) STATE_DIR SECONDS\n".utf8))
            exit(64)
        }
        let logger = LoggingSetup.logger(label: "ipm.embedded-postgres", level: "info")
        EmbeddedPostgres(stateDirectory: URL(fileURLWithPath: arguments[2], isDirectory: true), logger: logger)
            .watch(idleStop: .seconds(seconds))
        exit(0)
    }

    /// This very program (argv[0] may be relative, or found on PATH).
    private static func currentExecutable() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        #endif
        return Bundle.main.executableURL
    }
}
