import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the terminal tells the screens.
public enum TerminalEvent: Sendable {
    case key(Key)
    case resize(TerminalSize)
    /// SIGTERM, SIGHUP or SIGINT: the terminal is already restored; the program should end.
    case terminate(Int32)
}

/// The program's hold on its terminal, in the spirit of TermKit's `UnixDriver`: raw mode,
/// the alternate screen, a hidden cursor and bracketed paste while it lasts; the window size
/// (TIOCGWINSZ) and SIGWINCH. `restore()` puts back exactly the mode it found (`stty -g`
/// reads the same afterwards); it runs on every way out — `run`'s end or error, and
/// SIGTERM/SIGHUP/SIGINT, which restore at once from the signal queue.
public final class TerminalSession: Sendable {
    public let capabilities: TerminalCapabilities
    private let original: termios
    private let state = Mutex(State())
    private let input: Int32
    private let output: Int32
    /// Kept alive while the session lasts; set once, before any signal can arrive.
    private let signalSources = SignalSources()

    private final class SignalSources: @unchecked Sendable {
        var sources: [any DispatchSourceSignal] = []
    }

    private struct State {
        var active = false
        var restored = false
        var stopReading = false
    }

    /// Refuses with one line when standard input or output is not a terminal.
    public init(capabilities: TerminalCapabilities = .from()) throws(TerminalError) {
        let input = STDIN_FILENO
        let output = STDOUT_FILENO
        guard isatty(input) == 1, isatty(output) == 1 else { throw .notATerminal }
        var mode = termios()
        guard tcgetattr(input, &mode) == 0 else { throw .cannotReadMode }
        self.capabilities = capabilities
        self.original = mode
        self.input = input
        self.output = output
    }

    /// The window's size now; 80×24 when the terminal does not say.
    public var size: TerminalSize {
        var window = winsize()
        let status = withUnsafeMutablePointer(to: &window) { ioctl(output, UInt(TIOCGWINSZ), $0) }
        guard status == 0, window.ws_col > 0, window.ws_row > 0 else { return .standard }
        return TerminalSize(columns: Int(window.ws_col), rows: Int(window.ws_row))
    }

    /// Takes the terminal over, runs `body` with its events, and restores the terminal
    /// however `body` ends.
    public func run<Result: Sendable>(_ body: (AsyncStream<TerminalEvent>) async throws -> Result) async throws -> Result {
        let events = try start()
        defer { restore() }
        return try await body(events)
    }

    private func start() throws(TerminalError) -> AsyncStream<TerminalEvent> {
        let (events, continuation) = AsyncStream<TerminalEvent>.makeStream(bufferingPolicy: .unbounded)
        var raw = original
        cfmakeraw(&raw)
        // cfmakeraw leaves output processing off too; a read returns as soon as one byte is there.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(input, TCSANOW, &raw) == 0 else { throw .cannotSetMode }
        state.withLock { $0.active = true }
        if capabilities.attributes {
            // Alternate screen, hidden cursor, no autowrap (the last column may be written), bracketed paste.
            write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7l\u{1B}[?2004h\u{1B}[H\u{1B}[2J", force: true)
        }
        installSignals(continuation)
        startReading(continuation)
        return events
    }

    /// Puts the terminal back as it was found; safe to call more than once and from any thread.
    public func restore() {
        let first = state.withLock { state -> Bool in
            guard state.active, !state.restored else { return false }
            state.restored = true
            state.stopReading = true
            return true
        }
        guard first else { return }
        if capabilities.attributes {
            write("\u{1B}[0m\u{1B}[?2004l\u{1B}[?7h\u{1B}[?25h\u{1B}[?1049l", force: true)
        }
        var mode = original
        tcsetattr(input, TCSANOW, &mode)
    }

    /// Writes to the terminal, unless it was already restored (a late frame must not land on the shell's screen).
    public func write(_ text: String) {
        write(text, force: false)
    }

    private func write(_ text: String, force: Bool) {
        guard force || state.withLock({ $0.active && !$0.restored }) else { return }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    private func installSignals(_ continuation: AsyncStream<TerminalEvent>.Continuation) {
        var sources: [any DispatchSourceSignal] = []
        let winch = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        signal(SIGWINCH, SIG_IGN)
        winch.setEventHandler { [weak self] in
            guard let self else { return }
            continuation.yield(.resize(self.size))
        }
        winch.resume()
        sources.append(winch)
        for number in [SIGTERM, SIGHUP, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.restore()
                continuation.yield(.terminate(number))
                // The program ends by itself; should it hang (a call that does not return), it still ends.
                DispatchQueue.global().asyncAfter(deadline: .now() + 3) { exit(128 + number) }
            }
            source.resume()
            sources.append(source)
        }
        signalSources.sources = sources
    }

    /// A thread that reads the terminal (reads block): bytes become keys; a lone Esc is a
    /// key once the terminal stays quiet for 50 ms.
    private func startReading(_ continuation: AsyncStream<TerminalEvent>.Continuation) {
        let input = input
        let thread = Thread { [self] in
            var decoder = KeyDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !state.withLock({ $0.stopReading }) {
                var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, decoder.isWaiting ? 50 : 200)
                if ready == 0 {
                    for key in decoder.flush() { continuation.yield(.key(key)) }
                    continue
                }
                if ready < 0 {
                    if errno == EINTR { continue }
                    break
                }
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                guard count > 0 else {
                    // The terminal is gone (hang-up): end as on SIGHUP.
                    restore()
                    continuation.yield(.terminate(SIGHUP))
                    break
                }
                for key in decoder.feed(buffer[..<count]) { continuation.yield(.key(key)) }
            }
        }
        thread.name = "ipm-tui input"
        thread.start()
    }
}

/// Why the terminal could not be taken over; one line each.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public static let notATerminal = TerminalError(
        description: "standard input and output must both be a terminal; use `ipm` in scripts and pipes"
    )
    public static let cannotReadMode = TerminalError(description: "cannot read the terminal's settings")
    public static let cannotSetMode = TerminalError(description: "cannot put the terminal in raw mode")
}
