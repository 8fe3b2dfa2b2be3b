import Foundation
import IPMDomain
import IPMOAuth
import IPMTestSupport
import Testing
import UPSSandbox

@Suite("Refresh worker, backoff and budget")
struct RefreshWorkerTests {
    @Test("a dead connection backs off and stays within its daily budget; recovery clears its failure state")
    func deadConnectionIsBounded() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let policy = RefreshPolicy(margin: .fixed(24 * 3600), backoffBase: 2, cooldown: 8, dailyFailureBudget: 5)
            let worker = RefreshWorker(refresher: harness.refresher(policy: policy), batch: 10, logger: harness.logs.logger(label: "worker"))
            try harness.sandbox.setFaults(FaultConfiguration(serverErrorShare: 1, endpoints: [.refresh], seed: 7))

            // Move 20 × 10 s through the day: without limits that would be 20 failed passes.
            for _ in 0..<20 {
                await worker.tick()
                harness.clock.advance(by: 10)
            }
            #expect(harness.sandbox.counters[.faultsServerError] == 5 * 3, "5 failed refreshes of 3 attempts each, then the budget holds")
            var connection = try await harness.connection()
            #expect(connection.status == .authenticated, "temporary failures never flip the state")
            #expect(connection.refreshHealth.consecutiveFailures == 5)
            #expect(connection.refreshHealth.failuresToday == 5)
            #expect(connection.refreshHealth.lastError?.contains("failed 3 times") == true)
            // Every failure is audited; the third is the one the admins hear of (refresh_failing, decision 43).
            let failures = try await harness.events().map(\.action).filter { $0 == .refreshFailed || $0 == .refreshFailing }
            #expect(failures.count == 5)
            #expect(failures.filter { $0 == .refreshFailing }.count == 1)

            // Right after a failure, the backoff holds the connection back.
            let outcome = await harness.refresher(policy: policy).refresh(harness.company.id, force: false)
            guard case .backingOff = outcome else {
                Issue.record("outcome: \(outcome)")
                return
            }

            // The next day UPS is back: the refresh succeeds and the failure state is cleared.
            harness.sandbox.clearFaults()
            harness.clock.advance(by: 86_400)
            await worker.tick()
            connection = try await harness.connection()
            #expect(connection.refreshHealth == .healthy)
            #expect(harness.sandbox.counters[.refreshesServed] == 1)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("the worker refreshes what is due and stops when cancelled")
    func workerRunsUntilCancelled() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            // A margin longer than the token's life: always due.
            let worker = RefreshWorker(
                refresher: harness.refresher(policy: RefreshPolicy(margin: .fixed(5 * 3600))),
                interval: .milliseconds(50), batch: 10, logger: harness.logs.logger(label: "worker")
            )
            let task = Task { await worker.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            while harness.sandbox.counters[.refreshesServed] < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            task.cancel()
            await task.value
            #expect(harness.sandbox.counters[.refreshesServed] >= 3)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(harness.logs.all.contains { $0.contains("token refresh worker stopped") })
            #expect(try await harness.connection().status == .authenticated)
        }
    }
}
