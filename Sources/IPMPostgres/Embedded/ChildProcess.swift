import Foundation

/// Runs a command to completion with Foundation's `Process`, stdin closed, stdout and
/// stderr captured together.
///
/// Output goes to a temporary file rather than a pipe: `pg_ctl start` leaves a daemon
/// behind, and a pipe end inherited by it would keep a reader waiting forever.
struct ChildProcess {
    struct Result: Sendable {
        let command: String
        let status: Int32
        let output: String
        var succeeded: Bool { status == 0 }
        /// The command line and its output, for error details and the log.
        var transcript: String { "$ \(command)\n(exit status \(status))\n\(output)" }
    }

    static func run(
        _ executable: URL,
        _ arguments: [String],
        currentDirectory: URL? = nil
    ) throws -> Result {
        let outputURL = FileManager.default.temporaryDirectory
            .appending(path: "ipm-child-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outputURL.path])
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            try? output.close()
            throw error
        }
        process.waitUntilExit()
        try? output.close()

        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        let command = ([executable.path] + arguments).map(shellQuoted).joined(separator: " ")
        return Result(command: command, status: process.terminationStatus, output: text)
    }

    private static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
