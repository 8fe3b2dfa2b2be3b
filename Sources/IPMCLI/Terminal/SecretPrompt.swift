#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A secret for programs other than `ipm` (the sandbox's `set-password`), read the way
/// `ipm` reads passwords but with no IPM password rules applied.
public enum SecretPrompt {
    /// One line from standard input, or typed at the terminal without echo after `prompt`.
    public static func read(_ prompt: String, fromStandardInput: Bool) throws -> String {
        if fromStandardInput {
            guard let line = try InputLine.next("the password"), !line.isEmpty else { throw CLIError("no password on standard input") }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else { throw CLIError("no terminal to ask for the password on; use --password-stdin") }
        return try PasswordReader.prompt(prompt)
    }
}
