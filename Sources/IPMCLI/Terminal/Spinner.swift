import Foundation

/// A one-line activity indicator on standard error, drawn only on a terminal with the cursor
/// hidden; stopping erases the line and shows the cursor again.
final class Spinner: Sendable {
    private let task: Task<Void, Never>?

    init(_ message: @escaping @Sendable () -> String) {
        guard LineReader.standardErrorIsTerminal else {
            task = nil
            return
        }
        writeToStandardError("\u{1B}[?25l")
        task = Task {
            let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
            var index = 0
            while !Task.isCancelled {
                writeToStandardError("\r\u{1B}[K\(frames[index % frames.count]) \(message())")
                index += 1
                try? await Task.sleep(for: .milliseconds(120))
            }
            writeToStandardError("\r\u{1B}[K\u{1B}[?25h")
        }
    }

    func stop() async {
        task?.cancel()
        await task?.value
    }
}
