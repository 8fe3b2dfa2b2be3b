#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line read from standard input as the bytes arrived: a line holding a NUL byte or
/// bytes that are not UTF-8 is refused with one line, before anything is sent or stored
/// (`Swift.readLine` would pass a NUL on and silently repair invalid UTF-8 into U+FFFD).
enum InputLine {
    /// The next line without its line ending, or `nil` at end of input. `what` names the
    /// answer in the refusal ("the password", "the pasted address").
    static func next(_ what: String) throws -> String? {
        // A byte at a time from the descriptor: nothing past the line is taken from whoever
        // reads standard input next (a password after a name, the answer after a question).
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else {
                if bytes.isEmpty { return nil }
                break
            }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return try decode(bytes, what)
    }

    /// The text of `bytes`, or the refusal.
    static func decode(_ bytes: [UInt8], _ what: String) throws -> String {
        if bytes.contains(0) {
            throw CLIError("\(what) contains a NUL byte; nothing was sent or stored")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CLIError("\(what) is not valid UTF-8; nothing was sent or stored")
        }
        return text
    }
}
