import Foundation
import IPMDomain
import Synchronization

/// A clock that stands still until a test moves it.
final class FixedClock: IPMDomain.Clock {
    private let current: Mutex<Date>

    init(_ start: Date = Fixture.epoch) {
        current = Mutex(start)
    }

    func now() -> Date {
        current.withLock { $0 }
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
