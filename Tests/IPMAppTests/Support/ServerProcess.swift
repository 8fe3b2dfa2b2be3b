import Foundation
import Synchronization

/// `ipm-server` (or `ups-sandbox --port 0`) as a child process on a port the kernel picks
/// (`IPM_HTTP_PORT=0`), read back from its "listening" log line, so parallel tests never
/// race for a port.
final class ServerProcess: Sendable {
    private let program: String
    private let process: Process
    private let output = LogBuffer()

    init(program: String = "ipm-server", arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.program = program
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Programs.path(program))
        process.arguments = arguments
        var environment = environment
        environment["IPM_HTTP_PORT"] = "0"
        environment["IPM_LOG_LEVEL"] = "notice"
        process.environment = Programs.environment(environment)
        let pipe = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread { [output] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                output.append(chunk)
            }
        }.start()
    }

    /// Everything the server logged so far, for failure messages.
    var log: String { output.text }

    var isRunning: Bool { process.isRunning }

    /// The base URL once the server says it listens, or `nil` after `seconds`.
    func waitUntilListening(seconds: Double = 60) async -> URL? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, process.isRunning {
            for line in log.split(separator: "\n") where line.contains("\(program) listening") {
                // address=[IPv4]127.0.0.1/127.0.0.1:43127
                if let field = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
                    let port = field.split(separator: ":").last.flatMap({ Int($0) })
                {
                    return URL(string: "http://127.0.0.1:\(port)")
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// SIGKILL — no shutdown at all, as a crash or an OOM kill — then waits.
    func killAbruptly() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let process = process
        await onThread { process.waitUntilExit() }
    }

    /// SIGTERM, then waits; the exit status.
    func stop() async -> (reason: Process.TerminationReason, status: Int32) {
        if process.isRunning { process.terminate() }
        let process = process
        await onThread { process.waitUntilExit() }
        return (process.terminationReason, process.terminationStatus)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// What a child process wrote, collected by a reader thread.
final class LogBuffer: Sendable {
    private let data = Mutex(Data())

    func append(_ chunk: Data) {
        data.withLock { $0.append(chunk) }
    }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
