import Foundation
import Testing

/// Runs the built executables as a person would: separate processes, real arguments,
/// standard input, environment and exit status.
struct ProgramRun: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum Programs {
    /// The folder `swift build` put the executables in: next to the test bundle.
    static var binDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("ipm").path) { return url }
        }
        return URL(fileURLWithPath: ".build/debug")
    }

    static func path(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = binDirectory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ProgramMissing(name: name, folder: binDirectory.path)
        }
        return path
    }

    /// A base environment with no database or IPM settings from the caller's shell.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IPM_") && !$0.key.hasPrefix("PG") }
        environment["IPM_PASSWORD_HASH_COST"] = "4"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    static func run(
        _ name: String, _ arguments: [String], environment extra: [String: String] = [:],
        stdin: String? = nil, directory: URL? = nil
    ) async throws -> ProgramRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path(name))
        process.arguments = arguments
        process.environment = environment(extra)
        if let directory { process.currentDirectoryURL = directory }
        return try await run(process, stdin: stdin)
    }

    /// Runs `command` under `script`, so the program sees a real terminal (for prompts without echo).

    private static func run(_ process: Process, stdin: String?) async throws -> ProgramRun {
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty program cannot block on a full pipe.
        async let out = onThread { output.fileHandleForReading.readDataToEndOfFile() }
        async let err = onThread { errors.fileHandleForReading.readDataToEndOfFile() }
        let (stdoutData, stderrData) = await (out, err)
        await onThread { process.waitUntilExit() }
        return ProgramRun(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

struct ProgramMissing: Error, CustomStringConvertible {
    let name: String
    let folder: String
    var description: String { "\(name) is not built in \(folder): run `swift build --build-tests` (make test does) first" }
}
