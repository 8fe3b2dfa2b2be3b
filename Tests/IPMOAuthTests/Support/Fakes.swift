import Foundation
import IPMDomain

/// Hands out the given bytes in order, then zeros: deterministic randomness for vectors.
final class ScriptedRandom: RandomSource, @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: [UInt8]

    init(_ bytes: [UInt8]) { remaining = bytes }

    /// Every call gets `count` copies of `byte`.
    static func repeating(_ byte: UInt8) -> ScriptedRandom { ScriptedRandom(Array(repeating: byte, count: 1 << 12)) }

    func bytes(_ count: Int) -> [UInt8] {
        lock.withLock {
            let taken = Array(remaining.prefix(count))
            remaining.removeFirst(taken.count)
            return taken + Array(repeating: 0, count: count - taken.count)
        }
    }
}

struct FixedClock: IPMDomain.Clock {
    let date: Date
    func now() -> Date { date }
}

/// Something to wait for in a handler, opened by the test once it has seen what it wanted.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
