import Foundation

/// Runs blocking work (starting or stopping the embedded PostgreSQL: child processes that
/// take seconds) on a thread of its own, never on Swift concurrency's cooperative pool.
func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try work() })
        }.start()
    }
}
