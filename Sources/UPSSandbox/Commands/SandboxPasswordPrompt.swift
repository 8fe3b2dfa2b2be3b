#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The new password of `set-password`: one line from standard input, or typed at the
/// terminal without echo (the terminal's mode is restored on every path). No IPM password
/// rules apply: the sandbox's users are UPS.com's, not IPM's.
enum SandboxPasswordPrompt {
    static func read(_ prompt: String, fromStandardInput: Bool) throws -> String {
        if fromStandardInput {
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else { throw SandboxCommandError("no password on standard input") }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else { throw SandboxCommandError("no terminal to ask for the password on; use --password-stdin") }
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { throw SandboxCommandError("cannot read the terminal's settings") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(STDIN_FILENO, TCSANOW, &silent) == 0 else { throw SandboxCommandError("cannot turn off the terminal's echo") }
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            writeToStandardError("\n")
        }
        // Echo goes off before the prompt shows, so an answer typed at once is never echoed.
        writeToStandardError(prompt)
        guard let line = Swift.readLine(strippingNewline: true) else { throw SandboxCommandError("no password entered") }
        return line
    }

    private static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
