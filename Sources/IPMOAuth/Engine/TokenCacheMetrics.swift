public import CoreMetrics

/// What the access-token cache reports through swift-metrics: `ipm_token_cache_lookups_total`
/// by `result` (`hit`, `miss`), `ipm_token_cache_invalidations_total` (changes the feed
/// reported) and `ipm_token_cache_listening` (1 while the change feed listens, else 0: the
/// cache is off).
public struct TokenCacheMetrics: Sendable {
    private let hits: Counter
    private let misses: Counter
    private let invalidations: Counter
    private let listeningGauge: Gauge

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        // Made once: a lookup is on the token API's hot path.
        hits = Counter(label: "ipm_token_cache_lookups_total", dimensions: [("result", "hit")], factory: factory)
        misses = Counter(label: "ipm_token_cache_lookups_total", dimensions: [("result", "miss")], factory: factory)
        invalidations = Counter(label: "ipm_token_cache_invalidations_total", factory: factory)
        listeningGauge = Gauge(label: "ipm_token_cache_listening", factory: factory)
        listeningGauge.record(0)
    }

    func lookup(hit: Bool) {
        (hit ? hits : misses).increment()
    }

    func invalidated() {
        invalidations.increment()
    }

    func listening(_ isListening: Bool) {
        listeningGauge.record(isListening ? 1 : 0)
    }
}
