#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Answers typed (or pasted) at the terminal. The read happens on a thread of its own, so a
/// person taking minutes to answer never holds one of Swift concurrency's few threads.
enum LineReader {
    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Shows `prompt` on standard error and reads one line; `nil` at end of input.
    static func ask(_ prompt: String) async -> String? {
        writeToStandardError(prompt)
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }.start()
        }
    }

    /// A yes/no question whose default is no.
    static func confirm(_ question: String) async -> Bool {
        guard let answer = await ask(question + " [y/N] ") else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
