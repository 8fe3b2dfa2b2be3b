import Hummingbird
import Metrics

/// The token API's and the UPS proxy's metrics (names listed in the README).
enum UPSAccessMetrics {
    /// `ipm_token_api_duration_seconds{outcome}`: one observation per token API request.
    static func tokenAPI(_ outcome: String, since start: ContinuousClock.Instant) {
        Timer(label: "ipm_token_api_duration_seconds", dimensions: [("outcome", outcome)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(nanoseconds(since: start))
    }

    /// `ipm_ups_proxy_duration_seconds{outcome}`: one observation per proxied request; the
    /// outcome is UPS's status class (`2xx`, `4xx`, …) or why UPS was not (usefully) called.
    static func proxy(_ outcome: String, since start: ContinuousClock.Instant) {
        Timer(label: "ipm_ups_proxy_duration_seconds", dimensions: [("outcome", outcome)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(nanoseconds(since: start))
    }

    /// `ipm_ups_proxy_retries_total`: calls sent a second time after UPS refused the token.
    static func proxyRetried() {
        Counter(label: "ipm_ups_proxy_retries_total").increment()
    }

    /// Runs `body` and records its latency with `record` under the outcome it reports, or
    /// `error` when it throws.
    static func measured(_ record: (String, ContinuousClock.Instant) -> Void, _ body: () async throws -> (Response, String)) async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let (response, outcome) = try await body()
            record(outcome, start)
            return response
        } catch {
            record("error", start)
            throw error
        }
    }

    private static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
