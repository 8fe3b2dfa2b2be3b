/// Runs `body` for `0..<count` with at most `width` calls in flight; the first error
/// cancels the rest and is thrown.
func forEachConcurrently(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<min(max(1, width), count) {
            let index = next
            group.addTask { try await body(index) }
            next += 1
        }
        while try await group.next() != nil {
            guard next < count else { continue }
            let index = next
            group.addTask { try await body(index) }
            next += 1
        }
    }
}

/// Seconds elapsed while `body` ran, with its result.
func timed<R>(_ body: () async throws -> R) async rethrows -> (R, Double) {
    let start = ContinuousClock.now
    let result = try await body()
    let elapsed = ContinuousClock.now - start
    return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}
