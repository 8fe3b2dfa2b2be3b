public import IPMDomain
public import Logging

/// Refreshes due connections continuously: every `interval` (with jitter, so instances
/// drift apart) a pass refreshes up to `batch` due connections — skipping those another
/// instance holds — through the refresher's pipeline (its concurrency, no barrier between
/// refreshes), and goes again at once while whole passes keep coming. A pass ends early
/// only when nothing more is due, so `batch` just bounds how long one pass's report waits.
/// Runs in every `ipm-server`; any number of instances may run it.
public struct RefreshWorker: Sendable {
    private let refresher: any UPSTokenRefreshing
    private let interval: Duration
    private let batch: Int
    private let random: any RandomSource
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Connections one pass refreshes at most.
    public static let defaultBatch = 2000

    public init(
        refresher: any UPSTokenRefreshing, interval: Duration = .seconds(30), batch: Int = Self.defaultBatch,
        random: any RandomSource = SystemRandomSource(), logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.refresher = refresher
        self.interval = interval
        self.batch = max(1, batch)
        self.random = random
        self.logger = logger
        self.sleep = sleep
    }

    /// Until the task is cancelled.
    public func run() async {
        logger.info("token refresh worker started", metadata: ["interval": "\(interval)", "batch": "\(batch)"])
        while !Task.isCancelled {
            let full = await tick()
            if full { continue }
            do {
                try await sleep(interval * (0.75 + 0.5 * Double(random.bytes(1)[0]) / 255))
            } catch {
                break
            }
        }
        logger.info("token refresh worker stopped")
    }

    /// One pass; whether it took a whole batch (so more may be due right now).
    @discardableResult
    public func tick() async -> Bool {
        do {
            let outcomes = try await refresher.refreshDue(limit: batch)
            if !outcomes.isEmpty {
                var counts: [String: Int] = [:]
                for (_, outcome) in outcomes { counts[outcome.label, default: 0] += 1 }
                logger.info(
                    "token refresh pass",
                    metadata: ["outcomes": "\(counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"])
            }
            return outcomes.count >= batch
        } catch {
            logger.warning("token refresh pass failed; trying again later", metadata: ["error": "\(error)"])
            return false
        }
    }
}
