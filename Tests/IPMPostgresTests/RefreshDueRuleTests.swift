import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Testing

/// The query of due connections (`dueForRefresh`) is `UPSConnection.isDueForRefresh`, in
/// SQL: on rows of every kind — each status, expiries past and future and unknown, long and
/// short lifetimes, backoffs, spent daily budgets — both pick exactly the same companies.
@Suite("Refresh due rule: the query agrees with the domain")
struct RefreshDueRuleTests {
    @Test(arguments: [RefreshMargin.standard, .fixed(600), .proportional(fraction: 0.5, minimum: 60)])
    func theQueryPicksExactlyTheConnectionsTheDomainCallsDue(margin: RefreshMargin) async throws {
        let database = try await TestDatabase.fresh()
        let clock = SystemClock()
        let companies = PostgresCompanyRepository(client: database.client, clock: clock)
        let connections = PostgresUPSConnectionRepository(client: database.client)
        let policy = RefreshPolicy(margin: margin, dailyFailureBudget: 3)
        let now = clock.now()
        let today = RefreshPolicy.day(of: now)
        var generator = SeededGenerator(seed: 13)
        func moment(_ range: ClosedRange<Double>) -> Date { now.addingTimeInterval(Double.random(in: range, using: &generator).rounded()) }
        var ids: [CompanyID] = []
        for index in 0..<120 {
            let company = try await companies.create(try CompanyName("Due \(index)"), by: .operator("test"))
            ids.append(company.id)
            let status = ["authenticated", "authenticated", "authenticated", "blocked", "not_connected", "opted_out"].randomElement(
                using: &generator)!
            let expiry: Date? = Int.random(in: 0..<10, using: &generator) == 0 ? nil : moment(-600...14_400)
            let updated: Date? = Int.random(in: 0..<4, using: &generator) == 0 ? nil : moment(-14_400 ... -1)
            let authorized: Date? = Bool.random(using: &generator) ? moment(-30_000 ... -1) : nil
            let refreshExpiry: Date? = Bool.random(using: &generator) ? moment(-60...20_000) : nil
            let nextAttempt: Date? = Int.random(in: 0..<3, using: &generator) == 0 ? moment(-600...600) : nil
            let failuresToday = Int.random(in: 0...4, using: &generator)
            let failureDay: String? = Bool.random(using: &generator) ? today : nil
            // Authenticated and blocked rows hold (placeholder) tokens, as the schema requires.
            let held = status == "authenticated" || status == "blocked"
            _ = try await database.client.execute(
                """
                UPDATE ups_connections SET status = \(status), blocked_reason = \(status == "blocked" ? "blocked by UPS" : nil),
                    access_token_expires_at = \(expiry), updated_at = \(updated), authorized_at = \(authorized),
                    refresh_token_expires_at = \(refreshExpiry), next_refresh_at = \(nextAttempt),
                    refresh_failures_today = \(failuresToday), refresh_failure_day = \(failureDay)::date,
                    access_token_sealed = CASE WHEN \(held) THEN decode('00', 'hex') END,
                    refresh_token_sealed = CASE WHEN \(held) THEN decode('00', 'hex') END,
                    token_key_id = CASE WHEN \(held) THEN 'k1' END
                WHERE company_id = \(company.id.rawValue)
                """)
        }
        var expected: Set<CompanyID> = []
        for id in ids where try await connections.connection(for: id).isDueForRefresh(at: now, policy: policy) {
            expected.insert(id)
        }
        let due = Set(try await connections.dueForRefresh(at: now, policy: policy, limit: 1000))
        #expect(!expected.isEmpty && expected.count < ids.count, "the rows cover due and not due: \(expected.count) of \(ids.count)")
        #expect(due == expected, "only the query: \(due.subtracting(expected).count), only the domain: \(expected.subtracting(due).count)")
        // The sweep's claim is the same rule: of every company offered, it leases exactly these rows, once.
        let holder = UUID()
        let claimed = try await connections.claimDue(ids, at: now, policy: policy, holder: holder)
        #expect(Set(claimed.map(\.connection.companyID)) == expected)
        #expect(try await connections.claimDue(ids, at: now, policy: policy, holder: UUID()).isEmpty, "claimed rows are leased")
        try await connections.releaseClaims(claimed.map(\.connection.companyID), holder: holder)
        #expect(Set(try await connections.claimDue(ids, at: now, policy: policy, holder: UUID()).map(\.connection.companyID)) == expected)
        await database.drop()
    }
}

/// A small deterministic generator (SplitMix64), so a disagreement is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
