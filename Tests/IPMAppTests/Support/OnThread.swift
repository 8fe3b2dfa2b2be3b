import Foundation

/// Runs blocking work (pipe reads, waiting for a child, starting PostgreSQL) on a thread of
/// its own. `Task.detached` would block one of the few cooperative threads and, with
/// several tests at once, starve the whole test process.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
