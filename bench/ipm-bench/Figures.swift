import Foundation
import Synchronization

/// How figures are printed: the same number of decimals everywhere.
enum Figures {
    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
    static func rate(_ value: Double) -> String { String(format: "%.1f", value) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// Slots filled concurrently, read once everything is done.
final class IDList: Sendable {
    private let slots: Mutex<[String]>

    init(count: Int) {
        slots = Mutex(Array(repeating: "", count: count))
    }

    func set(_ index: Int, _ value: String) {
        slots.withLock { $0[index] = value }
    }

    var values: [String] { slots.withLock { $0 } }
}
