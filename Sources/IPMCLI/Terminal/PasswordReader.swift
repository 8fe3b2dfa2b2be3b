import IPMDomain

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a password: from the terminal without echo (the original mode is restored on
/// every path), or as one line from standard input with `--password-stdin`.
enum PasswordReader {
    static func read(fromStandardInput: Bool, confirm: Bool) throws -> Password {
        if fromStandardInput {
            guard let line = try InputLine.next("the password") else {
                throw CLIError("no password on standard input")
            }
            return try Password(line)
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError("no terminal to ask for the password on; use --password-stdin")
        }
        let first = try prompt("Password: ")
        let password = try Password(first)
        if confirm {
            let second = try prompt("Repeat password: ")
            guard second == first else { throw CLIError("the passwords do not match; nothing was changed") }
        }
        return password
    }

    /// Echo goes off before the prompt is shown, and without flushing: a person (or a paste)
    /// answering the moment the prompt appears must not lose what they typed.
    static func prompt(_ text: String) throws -> String {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { throw CLIError("cannot read the terminal's settings") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(STDIN_FILENO, TCSANOW, &silent) == 0 else { throw CLIError("cannot turn off the terminal's echo") }
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            writeToStandardError("\n")
        }
        flushStandardOutput()
        writeToStandardError(text)
        guard let line = try InputLine.next("the password") else { throw CLIError("no password entered") }
        return line
    }
}

func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}
