import Foundation
import IPMDomain
import Testing

@Suite("Refresh policy")
struct RefreshPolicyTests {
    struct Bytes: RandomSource {
        let value: UInt8
        func bytes(_ count: Int) -> [UInt8] { Array(repeating: value, count: count) }
    }

    @Test func backoffDoublesWithJitterUpToTheCooldown() {
        let policy = RefreshPolicy(backoffBase: 30, cooldown: 3600)
        #expect(policy.backoff(afterFailures: 0, random: Bytes(value: 255)) == 0)
        #expect(policy.backoff(afterFailures: 1, random: Bytes(value: 255)) == 30)
        #expect(policy.backoff(afterFailures: 1, random: Bytes(value: 0)) == 15, "at least half the window")
        #expect(policy.backoff(afterFailures: 3, random: Bytes(value: 255)) == 120)
        #expect(policy.backoff(afterFailures: 10, random: Bytes(value: 255)) == 3600)
        #expect(policy.backoff(afterFailures: 10_000, random: Bytes(value: 255)) == 3600)
    }

    @Test func theBudgetCountsPerUTCDay() {
        let policy = RefreshPolicy(dailyFailureBudget: 2)
        let noon = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(RefreshPolicy.day(of: Date(timeIntervalSince1970: 0)) == "1970-01-01")
        #expect(RefreshPolicy.day(of: Date(timeIntervalSince1970: 86_399)) == "1970-01-01")
        #expect(RefreshPolicy.day(of: Date(timeIntervalSince1970: 86_400)) == "1970-01-02")
        let spent = RefreshHealth(consecutiveFailures: 2, failuresToday: 2, failureDay: RefreshPolicy.day(of: noon))
        #expect(spent.holdsBack(at: noon, policy: policy))
        #expect(!spent.holdsBack(at: noon.addingTimeInterval(86_400), policy: policy))
        let waiting = RefreshHealth(consecutiveFailures: 1, nextAttemptAt: noon.addingTimeInterval(60))
        #expect(waiting.holdsBack(at: noon, policy: policy))
        #expect(!waiting.holdsBack(at: noon.addingTimeInterval(61), policy: policy))
    }
}
