/// Why a benchmark stopped: it measures only runs in which everything succeeded.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
