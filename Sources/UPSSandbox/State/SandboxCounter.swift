/// What the sandbox counts, named as `GET /sandbox/counters` reports them. Tests assert
/// on these (for example that `refresh_token_reuse` stays 0).
public enum SandboxCounter: String, Sendable, CaseIterable, Codable {
    case codesIssued = "codes_issued"
    case codesRedeemed = "codes_redeemed"
    case codesRefused = "codes_refused"
    /// Token pairs issued, by `/token` and `/refresh` together.
    case tokensIssued = "tokens_issued"
    case refreshesServed = "refreshes_served"
    /// All refused refreshes; the four below split it by reason.
    case refreshesRefused = "refreshes_refused"
    case refreshesRefusedReused = "refreshes_refused_reused"
    case refreshesRefusedExpired = "refreshes_refused_expired"
    case refreshesRefusedVoided = "refreshes_refused_voided"
    case refreshesRefusedUnknown = "refreshes_refused_unknown"
    /// Times an already consumed refresh token was presented.
    case refreshTokenReuse = "refresh_token_reuse"
    case resourceCallsOK = "resource_calls_ok"
    case resourceCallsUnauthorized = "resource_calls_unauthorized"
    case signInFailures = "sign_in_failures"
    case passwordChanges = "password_changes"
    /// Opt-ins voided by refresh-token reuse, code reuse or a password change.
    case grantsVoided = "grants_voided"
    case faultsLatency = "faults_latency"
    case faultsServerError = "faults_server_error"
    case faultsTooManyRequests = "faults_too_many_requests"
    case faultsDroppedConnection = "faults_dropped_connection"
    case faultsLostResponse = "faults_lost_response"
    case faultsUnauthorized = "faults_unauthorized"
    /// Token and refresh calls answered 403 Blocked Merchant.
    case faultsBlockedMerchant = "faults_blocked_merchant"
    /// The most `/refresh` calls in progress at once (a peak, not a sum): how many refreshes
    /// a client really keeps in flight, injected latency included.
    case refreshesInFlightPeak = "refreshes_in_flight_peak"
}

/// A snapshot of every counter; counters never touched read 0.
public struct SandboxCounters: Sendable, Equatable {
    var values: [SandboxCounter: Int] = [:]

    public subscript(counter: SandboxCounter) -> Int { values[counter, default: 0] }

    /// Every counter by its reported name, zeros included.
    public var byName: [String: Int] {
        Dictionary(uniqueKeysWithValues: SandboxCounter.allCases.map { ($0.rawValue, self[$0]) })
    }

    mutating func add(_ counter: SandboxCounter, _ amount: Int = 1) {
        values[counter, default: 0] += amount
    }

    /// Keeps the larger of the two (a peak).
    mutating func raise(_ counter: SandboxCounter, to value: Int) {
        values[counter] = max(values[counter, default: 0], value)
    }
}
