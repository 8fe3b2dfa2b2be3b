import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Logging
import Synchronization
import Testing

/// The sweep's side of a refresh in PostgreSQL (decision 79): claims picked from the top of
/// the due rows, past rows another claim has locked, and many answers stored in one
/// transaction, each company by its own decision.
@Suite("Claims of due connections, completed together")
struct ClaimCompletionTests {
    /// `count` authenticated companies holding (placeholder) tokens, all due now: the first
    /// expired a second before the call, each next one a second earlier.
    private static func dueCompanies(_ count: Int, _ database: TestDatabase) async throws -> [CompanyID] {
        let companies = PostgresCompanyRepository(client: database.client, clock: SystemClock())
        let start = Date()
        var ids: [CompanyID] = []
        for index in 0..<count {
            let company = try await companies.create(try CompanyName("Claimed \(index)"), by: .operator("test"))
            try await database.client.execute(
                """
                UPDATE ups_connections SET status = 'authenticated', authorized_at = now() - interval '4 hours',
                    updated_at = now() - interval '4 hours', access_token_expires_at = \(start.addingTimeInterval(-Double(index + 1))),
                    refresh_token_expires_at = now() + interval '60 days',
                    access_token_sealed = decode('00', 'hex'), refresh_token_sealed = decode('00', 'hex'), token_key_id = 'k1'
                WHERE company_id = \(company.id.rawValue)
                """)
            ids.append(company.id)
        }
        return ids
    }

    /// Waits up to 20 s for `condition`; records an issue if it never holds.
    private static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("not within 20 s: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func count(_ sql: SQL, _ database: TestDatabase) async throws -> Int {
        try await database.client.query(sql).first?.decode("n", as: Int.self) ?? -1
    }

    @Test("one transaction stores each company's own decision: a replaced pair is left alone, a failing decision costs only its company")
    func batchOfDecisions() async throws {
        let database = try await TestDatabase.fresh()
        let connections = PostgresUPSConnectionRepository(client: database.client)
        let ids = try await Self.dueCompanies(4, database)
        let (reauthorized, failing, replaced, untouched) = (ids[0], ids[1], ids[2], ids[3])
        let holder = UUID()
        let claimed = try await connections.claimDue(ids, at: Date(), policy: RefreshPolicy(), holder: holder)
        #expect(Set(claimed.map(\.connection.companyID)) == Set(ids))
        #expect(try await Self.count("SELECT count(*)::bigint AS n FROM refresh_leases WHERE holder = \(holder)", database) == 4)
        // A re-authorization elsewhere replaced one claimed pair meanwhile.
        try await database.client.execute(
            "UPDATE ups_connections SET token_generation = token_generation + 1 WHERE company_id = \(replaced.rawValue)")
        // From here on, every announced change is heard.
        let feed = PostgresUPSConnectionChanges(client: database.client, logger: Logger(label: "test.feed"))
        let heard = Mutex<[UPSConnectionChange]>([])
        let listening = Task { await feed.run { change in heard.withLock { $0.append(change) } } }
        try await Self.waitUntil("the feed listens") { heard.withLock { $0.contains(.listening) } }

        let eventsOf = { (company: CompanyID) in
            try await Self.count("SELECT count(*)::bigint AS n FROM audit_events WHERE company_id = \(company.rawValue)", database)
        }
        let eventsBefore = try await eventsOf(reauthorized)
        struct Refused: Error {}
        let generation = Dictionary(uniqueKeysWithValues: claimed.map { ($0.connection.companyID, $0.generation) })
        let completions = [
            ClaimCompletion(reauthorized, generation: generation[reauthorized]!) { current in
                (ConnectionUpdate(try current.connection.requireReauthorization(.refreshRefused, by: .system("test"), at: Date())), "reauthorize")
            },
            ClaimCompletion(failing, generation: generation[failing]!) { _ in throw Refused() },
            ClaimCompletion(replaced, generation: generation[replaced]!) { _ in
                Issue.record("a replaced pair is not decided on")
                return (nil, "")
            },
            ClaimCompletion(untouched, generation: generation[untouched]!) { _ in (nil, "left") },
        ]
        let results = try await connections.completeClaims(completions, holder: holder)
        #expect(results.count == 4)
        #expect(try results[0].get() == "reauthorize")
        #expect(throws: Refused.self) { try results[1].get() }
        #expect(try results[2].get() == nil, "the claimed pair was replaced")
        #expect(try results[3].get() == "left")

        #expect(try await connections.connection(for: reauthorized).status == .reauthorizationRequired)
        for company in [failing, replaced, untouched] {
            #expect(try await connections.connection(for: company).status == .authenticated)
        }
        #expect(try await Self.count("SELECT count(*)::bigint AS n FROM refresh_leases", database) == 0, "every claim ended")
        #expect(try await eventsOf(reauthorized) == eventsBefore + 1, "the change's audit event, in the same transaction")
        // Announced once, after the commit, and only the company that changed.
        try await Self.waitUntil("the stored change is announced") { heard.withLock { $0.contains(.changed(reauthorized)) } }
        try await Task.sleep(for: .milliseconds(300))
        #expect(heard.withLock { $0 } == [.listening, .changed(reauthorized)])
        listening.cancel()
        await listening.value
        await database.drop()
    }

    @Test("a claim takes the candidates still due and free, past rows another transaction has locked, and leaves those to it")
    func claimSkipsLockedRows() async throws {
        let database = try await TestDatabase.fresh()
        let connections = PostgresUPSConnectionRepository(client: database.client)
        let ids = try await Self.dueCompanies(6, database)
        let policy = RefreshPolicy()
        #expect(try await connections.dueForRefresh(at: Date(), policy: policy, limit: 10) == ids.reversed(), "expired longest ago first")
        // One candidate is refreshed elsewhere after the list was made: no longer due.
        try await database.client.execute(
            "UPDATE ups_connections SET access_token_expires_at = now() + interval '4 hours', updated_at = now() WHERE company_id = \(ids[0].rawValue)"
        )
        let locked = [ids[5], ids[4]]
        let holder = UUID()
        let claimed = try await database.client.withLongTransaction { transaction in
            _ = try await transaction.query(
                "SELECT 1 FROM ups_connections WHERE company_id = ANY(\("{\(locked.map(\.rawValue.uuidString).joined(separator: ","))}")::uuid[]) FOR UPDATE"
            )
            return try await connections.claimDue(Array(ids[..<5]), at: Date(), policy: policy, holder: holder)
        }
        #expect(Set(claimed.map(\.connection.companyID)) == [ids[3], ids[2], ids[1]], "due, offered, not locked")
        let rest = try await connections.claimDue(ids, at: Date(), policy: policy, holder: UUID())
        #expect(Set(rest.map(\.connection.companyID)) == [ids[5], ids[4]], "claimed rows stay leased, the refreshed one is not due")
        await database.drop()
    }
}
