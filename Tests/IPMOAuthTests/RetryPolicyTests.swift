import IPMDomain
import IPMOAuth
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(300))

    @Test func windowsDoubleUpToTheMaximum() {
        #expect(
            (1...5).map { policy.ceiling(beforeAttempt: $0) } == [
                .zero, .milliseconds(100), .milliseconds(200), .milliseconds(300), .milliseconds(300),
            ])
    }

    @Test func delaysAreFullJitterWithinTheWindowAndStopAfterTheLastAttempt() {
        #expect(policy.delay(beforeAttempt: 1, using: ScriptedRandom.repeating(0xFF)) == .zero)
        #expect(policy.delay(beforeAttempt: 3, using: ScriptedRandom.repeating(0x00)) == .zero)
        let largest = policy.delay(beforeAttempt: 3, using: ScriptedRandom.repeating(0xFF)) ?? .zero
        #expect(largest < .milliseconds(200) && largest > .milliseconds(199))
        let half = policy.delay(beforeAttempt: 4, using: ScriptedRandom([0x80, 0, 0, 0, 0, 0, 0, 0]))
        #expect(half == .milliseconds(150))
        #expect(policy.delay(beforeAttempt: 6, using: SystemRandomSource()) == nil)
        for _ in 0..<100 {
            let delay = policy.delay(beforeAttempt: 5, using: SystemRandomSource()) ?? .seconds(99)
            #expect(delay >= .zero && delay <= .milliseconds(300))
        }
    }

    @Test func hugeAttemptNumbersDoNotOverflow() {
        let many = RetryPolicy(maxAttempts: 10_000, baseDelay: .seconds(1), maxDelay: .seconds(30))
        #expect(many.ceiling(beforeAttempt: 10_000) == .seconds(30))
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test func retriesTransientFailuresOnlyAndSleepsTheJitteredDelays() async throws {
        let slept = Recorded<Duration>()
        let attempts = Recorded<Int>()
        let value = try await withRetries(policy, using: ScriptedRandom.repeating(0xFF), sleep: { await slept.add($0) }) {
            attempt throws(AuthorizationServerError) in
            await attempts.add(attempt)
            guard attempt == 3 else { throw AuthorizationServerError(.transient, message: "busy") }
            return "ok"
        }
        #expect(value == "ok")
        #expect(await attempts.values == [1, 2, 3])
        #expect(await slept.values.count == 2)

        await attempts.clear()
        await #expect(throws: AuthorizationServerError(.refused, message: "dead")) {
            try await withRetries(policy, using: SystemRandomSource(), sleep: { _ in }) { attempt throws(AuthorizationServerError) -> Int in
                await attempts.add(attempt)
                throw AuthorizationServerError(.refused, message: "dead")
            }
        }
        #expect(await attempts.values == [1])
    }

    @Test func givesUpAfterTheLastAttemptOrWhenTheSleepIsCancelled() async {
        let attempts = Recorded<Int>()
        let busy = AuthorizationServerError(.transient, message: "busy", delivery: .answered)
        await #expect(throws: busy) {
            try await withRetries(policy, using: SystemRandomSource(), sleep: { _ in }) { attempt throws(AuthorizationServerError) -> Int in
                await attempts.add(attempt)
                throw busy
            }
        }
        #expect(await attempts.values == [1, 2, 3, 4, 5])

        await attempts.clear()
        await #expect(throws: busy) {
            try await withRetries(policy, using: SystemRandomSource(), sleep: { _ in throw CancellationError() }) {
                attempt throws(AuthorizationServerError) -> Int in
                await attempts.add(attempt)
                throw busy
            }
        }
        #expect(await attempts.values == [1])
    }
}

actor Recorded<Value: Sendable> {
    private(set) var values: [Value] = []
    func add(_ value: Value) { values.append(value) }
    func clear() { values = [] }
}
