import Foundation
import IPMDomain

/// A few threads of its own for bcrypt: at most `threads` hashes in flight in the process,
/// the rest waiting in a queue. The threads start on the first hash, so a command that never
/// checks a password never starts one.
public final class PasswordHashingPool: @unchecked Sendable {
    /// One per core, at least two: a hash is pure CPU work.
    public static let shared = PasswordHashingPool(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    public let threads: Int
    // Guards everything below.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var started = false

    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Runs `work` on a pool thread. With `maxWaiting`, throws `PasswordHashingBusy` at once
    /// when that many jobs are already queued (not counting those running).
    func run<T: Sendable>(maxWaiting: Int?, _ work: @escaping @Sendable () -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            defer { condition.unlock() }
            if let maxWaiting, jobs.count >= maxWaiting {
                continuation.resume(throwing: PasswordHashingBusy())
                return
            }
            jobs.append { continuation.resume(returning: work()) }
            if !started {
                started = true
                for index in 0..<threads {
                    let thread = Thread { self.serve() }
                    thread.name = "ipm-bcrypt-\(index)"
                    thread.start()
                }
            }
            condition.signal()
        }
    }

    /// Jobs waiting for a thread right now.
    public var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
