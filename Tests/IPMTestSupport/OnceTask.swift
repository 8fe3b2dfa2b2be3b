import Synchronization

/// Work the whole test process shares: the first caller starts it, everyone awaits the same
/// result (an error included).
final class OnceTask<Value: Sendable>: Sendable {
    private let task = Mutex<Task<Value, any Error>?>(nil)

    func value(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let started = task.withLock { task in
            if let task { return task }
            let started = Task { try await work() }
            task = started
            return started
        }
        return try await started.value
    }
}
