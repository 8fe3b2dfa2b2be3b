import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C during a wait: SIGINT is caught instead of ending the process at once, so the
/// spinner can be erased and the cursor shown again before the one-line message.
enum Interrupt {
    /// Runs `body`; when SIGINT arrives first, cancels it and throws `interrupted` (exit 130).
    static func stopping(_ body: @escaping @Sendable () async throws -> Void, interrupted: CLIError) async throws {
        let (signals, continuation) = AsyncStream<Void>.makeStream()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { continuation.yield() }
        // libdispatch installs its own SIGINT handler only when it registers the source, on
        // its manager thread, after `resume()` returns; until then SIG_IGN drops Ctrl-C. Wait
        // for the registration so that a Ctrl-C after the spinner appears is never lost.
        await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
            source.setRegistrationHandler { registered.resume() }
            source.resume()
        }
        defer {
            source.cancel()
            continuation.finish()
            signal(SIGINT, SIG_DFL)
        }
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                for await _ in signals { return false }
                return true
            }
            let first = try await group.next() ?? true
            group.cancelAll()
            return first
        }
        if !finished { throw interrupted }
    }
}
