import Foundation

/// A program on a real pseudo-terminal, driven like a person at the keyboard: wait for a
/// prompt, then type. Typing before the prompt would be echoed by the terminal itself.
final class TerminalSession: @unchecked Sendable {
    private let process = Process()
    private let master: FileHandle
    private var transcript = Data()

    init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        var primary: Int32 = 0
        var secondary: Int32 = 0
        guard openpty(&primary, &secondary, nil, nil, nil) == 0 else { throw POSIXError(.EIO) }
        master = FileHandle(fileDescriptor: primary, closeOnDealloc: true)
        let terminal = FileHandle(fileDescriptor: secondary, closeOnDealloc: true)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = terminal
        try process.run()
        try terminal.close()
    }

    /// Reads until `text` has appeared, for at most `seconds`.
    @discardableResult
    func expect(_ text: String, seconds: Double = 20) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if String(decoding: transcript, as: UTF8.self).contains(text) { return true }
            var descriptor = pollfd(fd: master.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) >= 0 else { return false }
            if descriptor.revents & Int16(POLLIN) != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(master.fileDescriptor, &buffer, buffer.count)
                if count <= 0 { return String(decoding: transcript, as: UTF8.self).contains(text) }
                transcript.append(contentsOf: buffer[0..<count])
            } else if descriptor.revents != 0 {
                return String(decoding: transcript, as: UTF8.self).contains(text)
            }
        }
        return false
    }

    /// Everything the screen showed so far.
    var screen: String { String(decoding: transcript, as: UTF8.self) }

    func type(_ text: String) {
        master.write(Data(text.utf8))
    }

    /// Ctrl-C: SIGINT, as the terminal sends it to the program in the foreground.
    func interrupt() {
        process.interrupt()
    }

    /// Waits for `prompt`, types `line` and Enter, and waits for the program to end.
    func answer(_ prompt: String, with line: String) throws -> (status: Int32, screen: String) {
        _ = try expect(prompt)
        type(line + "\n")
        return try finish()
    }

    /// Waits for the program to end and returns its status and everything the screen showed.
    func finish(seconds: Double = 20) throws -> (status: Int32, screen: String) {
        _ = try expect("\u{0}", seconds: seconds)  // drains until the terminal closes or time runs out
        if process.isRunning {
            // A program still waiting for input has failed the test; do not wait for it forever.
            process.terminate()
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: transcript, as: UTF8.self))
    }
}
