import Hummingbird
import Metrics
import Synchronization

/// The token API's and the UPS proxy's metrics (names listed in the README). Each outcome's
/// timer is made on its first use and kept: making one per request (a lookup in the metrics
/// registry under its lock) showed in the token API's profile (decision 80).
final class UPSAccessMetrics: Sendable {
    /// `ipm_token_api_duration_seconds{outcome}`: one observation per token API request.
    let tokenAPI = OutcomeTimers(label: "ipm_token_api_duration_seconds")
    /// `ipm_ups_proxy_duration_seconds{outcome}`: one observation per proxied request; the
    /// outcome is UPS's status class (`2xx`, `4xx`, …) or why UPS was not (usefully) called.
    let proxy = OutcomeTimers(label: "ipm_ups_proxy_duration_seconds")

    /// `ipm_ups_proxy_retries_total`: calls sent a second time after UPS refused the token.
    func proxyRetried() {
        Counter(label: "ipm_ups_proxy_retries_total").increment()
    }

    /// One latency metric with an `outcome` dimension.
    final class OutcomeTimers: Sendable {
        private let label: String
        private let timers = Mutex<[String: Timer]>([:])

        init(label: String) {
            self.label = label
        }

        /// Runs `body` and records its latency under the outcome it reports, or `error` when it throws.
        func measured(_ body: () async throws -> (Response, String)) async throws -> Response {
            let start = ContinuousClock.now
            do {
                let (response, outcome) = try await body()
                record(outcome, since: start)
                return response
            } catch {
                record("error", since: start)
                throw error
            }
        }

        private func record(_ outcome: String, since start: ContinuousClock.Instant) {
            let timer = timers.withLock { timers in
                if let timer = timers[outcome] { return timer }
                let timer = Timer(label: label, dimensions: [("outcome", outcome)], preferredDisplayUnit: .seconds)
                timers[outcome] = timer
                return timer
            }
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }
}
