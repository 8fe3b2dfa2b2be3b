import IPMConsole

/// A failure the CLI reports as one line on standard error, with its exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let exitCode: Int32

    init(_ description: String, exitCode: Int32 = ExitStatus.failure) {
        self.description = description
        self.exitCode = exitCode
    }

    /// No token, or its session has ended (expired, signed out, admin disabled).
    static let notSignedIn = CLIError("not signed in: run `ipm login`", exitCode: ExitStatus.notSignedIn)
}

/// The exit statuses `ipm help` lists (sysexits.h numbers where one fits).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    /// EX_TEMPFAIL: waited for the opt-in and it did not complete in time, or the server
    /// (`--server`) could not be reached: try again later.
    static let temporaryFailure: Int32 = 75
    static let timedOut: Int32 = temporaryFailure
    /// EX_NOPERM: no live session.
    static let notSignedIn: Int32 = 77
    /// 128 + SIGINT: Ctrl-C stopped a wait.
    static let interrupted: Int32 = 130
}

extension ConsoleFailure {
    /// The exit status `ipm help` lists for a console's failure.
    var exitCode: Int32 {
        switch kind {
        case .failed: return ExitStatus.failure
        case .notSignedIn: return ExitStatus.notSignedIn
        case .unavailable: return ExitStatus.temporaryFailure
        }
    }
}
