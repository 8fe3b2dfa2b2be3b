/// A failure a console reports as one line. Its `kind` says what a front makes of it: the
/// CLI exits 1, 77 or 75 (`ipm help` lists them), the TUI says so and offers to sign in again
/// or to retry.
public struct ConsoleFailure: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The request failed or was refused; trying again will not help.
        case failed
        /// No live session: sign in again.
        case notSignedIn
        /// The server could not be reached or answered unusably; try again later.
        case unavailable
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    public static func failed(_ line: String) -> ConsoleFailure { ConsoleFailure(.failed, line) }
    /// No live session, as `ipm whoami` says it.
    public static var notSignedIn: ConsoleFailure { ConsoleFailure(.notSignedIn, "not signed in: run `ipm login`") }
    public static func unavailable(_ line: String) -> ConsoleFailure { ConsoleFailure(.unavailable, line) }
}
