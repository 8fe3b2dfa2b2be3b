import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers typed (or pasted) at the terminal. The read happens on a thread of its own, so a
/// person taking minutes to answer never holds one of Swift concurrency's few threads.
enum LineReader {
    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Shows `prompt` on standard error and reads one line; `nil` at end of input. What was
    /// printed on standard output before is flushed first: through a pipe (a script, `| tee`)
    /// it would otherwise stay in the buffer while the question waits for an answer to it.
    /// A line with a NUL byte or invalid UTF-8 is refused (`InputLine`), naming it `what`.
    static func ask(_ prompt: String, what: String = "the answer") async throws -> String? {
        flushStandardOutput()
        writeToStandardError(prompt)
        let result: Result<String?, any Error> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result { try InputLine.next(what) }) }.start()
        }
        return try result.get()
    }

    /// A yes/no question whose default is no.
    static func confirm(_ question: String) async throws -> Bool {
        guard let answer = try await ask(question + " [y/N] ") else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

/// Writes out what `print` buffered: before every prompt, and before a wait. (`nil`: every
/// output stream, standard output among them.)
func flushStandardOutput() {
    fflush(nil)
}
