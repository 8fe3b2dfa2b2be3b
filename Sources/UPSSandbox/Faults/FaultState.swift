/// The configured faults, what is left of the 429 burst, and the seeded generator that
/// decides each request's fate.
struct FaultState {
    private(set) var configuration: FaultConfiguration
    private(set) var burstRemaining: Int
    private var generator: SplitMix64

    init(configuration: FaultConfiguration) {
        self.configuration = configuration
        burstRemaining = configuration.tooManyRequestsBurst
        generator = SplitMix64(seed: configuration.seed ?? UInt64.random(in: .min ... .max))
    }

    /// The fate of one request to `endpoint`; at most one of 429, drop, 503 or lost response.
    mutating func plan(for endpoint: FaultEndpoint) -> FaultPlan {
        guard configuration.endpoints.contains(endpoint) else { return FaultPlan(latencyMilliseconds: 0, fault: nil) }
        let latency = configuration.latencyMilliseconds
        if burstRemaining > 0 {
            burstRemaining -= 1
            return FaultPlan(latencyMilliseconds: latency, fault: .tooManyRequests)
        }
        let draws: [(Double, InjectedFault)] = [
            (configuration.droppedConnectionShare, .droppedConnection),
            (configuration.serverErrorShare, .serverError),
            (configuration.lostResponseShare, .lostResponse),
            (configuration.unauthorizedShare, .unauthorized),
        ]
        for (share, fault) in draws where share > 0 && generator.nextUnitInterval() < share {
            return FaultPlan(latencyMilliseconds: latency, fault: fault)
        }
        return FaultPlan(latencyMilliseconds: latency, fault: nil)
    }
}

struct FaultPlan {
    let latencyMilliseconds: Int
    let fault: InjectedFault?
}

enum InjectedFault {
    /// 429, code `10429`, no rate-limit headers.
    case tooManyRequests
    /// The connection closes before the request is processed.
    case droppedConnection
    /// 503, code `10503`.
    case serverError
    /// The request is processed, then the connection closes without the answer.
    case lostResponse
    /// 401, code `250002`, before the request is processed.
    case unauthorized

    var counter: SandboxCounter {
        switch self {
        case .tooManyRequests: .faultsTooManyRequests
        case .droppedConnection: .faultsDroppedConnection
        case .serverError: .faultsServerError
        case .lostResponse: .faultsLostResponse
        case .unauthorized: .faultsUnauthorized
        }
    }
}

/// A small, fast, seedable generator (Steele, Lea, Flood 2014): the same seed gives the same faults.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
