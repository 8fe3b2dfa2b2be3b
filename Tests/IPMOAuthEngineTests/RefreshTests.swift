import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Testing
import UPSSandbox

@Suite("Refresh against the UPS sandbox")
struct RefreshTests {
    @Test("a refresh rotates the pair, stores the new one, and never presents a refresh token twice")
    func refreshRotates() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let first = try #require(try await harness.storedTokens())

            let outcome = await harness.refresher.refresh(harness.company.id, force: true)
            guard case .refreshed = outcome else {
                Issue.record("outcome: \(outcome)")
                return
            }
            let second = try #require(try await harness.storedTokens())
            #expect(second.refresh != first.refresh)
            #expect(second.access != first.access)
            #expect(try await harness.track(with: second.access) == 200)

            guard case .refreshed = await harness.refresher.refresh(harness.company.id, force: true) else {
                Issue.record("second refresh")
                return
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 2)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(try await harness.connection().status == .authenticated)

            // Without --force, a fresh token is not due: nothing is sent.
            guard case .notDue = await harness.refresher.refresh(harness.company.id, force: false) else {
                Issue.record("not due")
                return
            }
            #expect(harness.sandbox.counters[.refreshesServed] == 2)

            // The sandbox is honest about single use: the consumed token is refused.
            #expect(try await harness.presentRefreshToken(first.refresh) >= 400)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 1)
        }
    }

    @Test("concurrent refreshes of one company send one refresh token once")
    func concurrentRefreshesSerialise() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let outcomes = await withTaskGroup(of: RefreshOutcome.self) { group in
                for _ in 0..<6 { group.addTask { await harness.refresher.refresh(harness.company.id, force: true) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            // Each waits its turn on the company's lease for up to 10 s; on a loaded machine the
            // last of six may give up and say so (`.busy`) instead of refreshing. Either way each
            // refresh presents the token the one before it received.
            let refreshed = outcomes.filter { if case .refreshed = $0 { true } else { false } }.count
            let busy = outcomes.filter { $0 == .busy }.count
            #expect(refreshed + busy == 6 && refreshed >= 2, "\(outcomes)")
            #expect(harness.sandbox.counters[.refreshesServed] == refreshed)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(harness.sandbox.counters[.refreshesRefused] == 0)
        }
    }

    @Test("after the UPS.com password changes, the next refresh makes the company re-authorization required")
    func passwordChange() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            _ = try harness.sandbox.changePassword(username: EngineHarness.upsUser, to: "New-Password-2")

            let outcome = await harness.refresher.refresh(harness.company.id, force: true)
            #expect(outcome == .reauthorizationRequired(.refreshRefused))
            let connection = try await harness.connection()
            #expect(connection.status == .reauthorizationRequired)
            #expect(
                connection.reauthorizationMessage
                    == "UPS refused the refresh token. This happens when the UPS.com password of the user who opted in was changed; an admin must opt in again."
            )
            #expect(try await harness.storedTokens() == nil, "the dead tokens are destroyed")
            let event = try #require(try await harness.events().first)
            #expect(event.action == .reauthorizationRequired)
            #expect(event.actor == .system("token refresh"))

            // Nothing more is sent for a company without tokens.
            let refused = harness.sandbox.counters[.refreshesRefused]
            #expect(await harness.refresher.refresh(harness.company.id, force: true) == .notAuthenticated(.reauthorizationRequired))
            #expect(harness.sandbox.counters[.refreshesRefused] == refused)

            // An admin opts in again with the new password.
            let session = SessionBinding(Secret("again"))
            _ = try await harness.optIn.complete(try await harness.authorize(session: session, password: "New-Password-2"), session: session)
            #expect(try await harness.connection().status == .authenticated)
            #expect(try await harness.connection().reauthorizationMessage == nil)
        }
    }

    @Test("5xx answers are retried a bounded number of times and leave the company authenticated")
    func serverErrorsAreTransient() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let before = try #require(try await harness.storedTokens())
            try harness.sandbox.setFaults(FaultConfiguration(serverErrorShare: 1, endpoints: [.refresh], seed: 1))

            let outcome = await harness.refresher.refresh(harness.company.id, force: true)
            guard case .transientFailure = outcome else {
                Issue.record("outcome: \(outcome)")
                return
            }
            #expect(harness.sandbox.counters[.faultsServerError] == 3, "three attempts, no storm")
            #expect(try await harness.connection().status == .authenticated)
            #expect(try await harness.storedTokens()?.refresh == before.refresh)
            #expect(try await harness.events().first?.action == .refreshFailed)

            // A burst of 429s, then UPS answers: the refresh goes through.
            harness.sandbox.clearFaults()
            try harness.sandbox.setFaults(FaultConfiguration(tooManyRequestsBurst: 2, endpoints: [.refresh], seed: 1))
            let recovered = await harness.refresher.refresh(harness.company.id, force: true)
            guard case .refreshed = recovered else {
                Issue.record("outcome: \(recovered)")
                return
            }
            #expect(harness.sandbox.counters[.faultsTooManyRequests] == 2)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
        }
    }

    @Test("dropped connections before UPS processed the request are retried without reusing a token")
    func droppedConnections() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            try harness.sandbox.setFaults(FaultConfiguration(droppedConnectionShare: 0.5, endpoints: [.refresh], seed: 42))
            var refreshed = 0
            for _ in 0..<6 {
                if case .refreshed = await harness.refresher.refresh(harness.company.id, force: true) { refreshed += 1 }
            }
            #expect(refreshed >= 3)
            #expect(harness.sandbox.counters[.faultsDroppedConnection] > 0)
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)
            #expect(try await harness.connection().status == .authenticated)
        }
    }

    @Test("a refused client (10401) is our configuration error: the company is left untouched")
    func invalidClientIsMisconfiguration() async throws {
        // Basic (no PKCE): the PKCE exchange carries no secret, so only Basic can be refused for it.
        try await EngineHarness.run(clientSecret: "wrong-secret", pkce: false) { harness in
            // Opt in with the good engine is impossible here (the exchange is refused too):
            // the exchange failure itself must change nothing.
            let session = SessionBinding(Secret("s"))
            let callback = try await harness.authorize(session: session)
            do {
                _ = try await harness.optIn.complete(callback, session: session)
                Issue.record("an opt-in completed with a wrong client secret")
            } catch let failure as OptInFailure {
                guard case .exchangeFailed(let error) = failure else { throw failure }
                #expect(error.kind == .misconfigured)
            }
            #expect(try await harness.connection().status == .notConnected)
        }
    }

    @Test("a refresh refused for the client's credentials leaves an authenticated company authenticated")
    func refreshWithInvalidClient() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            // The secret was changed at UPS but not in IPM's settings.
            let misconfigured = harness.refresher(secrets: harness.keyRing, clientSecret: "not-the-secret")
            let outcome = await misconfigured.refresh(harness.company.id, force: true)
            guard case .misconfigured = outcome else {
                Issue.record("outcome: \(outcome)")
                return
            }
            #expect(try await harness.connection().status == .authenticated)
            #expect(try await harness.storedTokens() != nil)
            #expect(harness.logs.all.contains { $0.hasPrefix("critical") && $0.contains("IPM_UPS_CLIENT_SECRET") })
        }
    }

    @Test("a refresh token past its expiry is not sent: the company needs re-authorization")
    func expiredRefreshToken() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let expiry = try #require(try await harness.connection().refreshTokenExpiresAt)
            harness.clock.advance(by: expiry.timeIntervalSince(harness.clock.now()) + 1)
            let served = harness.sandbox.counters[.refreshesServed]
            #expect(await harness.refresher.refresh(harness.company.id, force: false) == .reauthorizationRequired(.refreshTokenExpired))
            #expect(harness.sandbox.counters[.refreshesServed] == served)
            #expect(try await harness.connection().status == .reauthorizationRequired)
        }
    }

    @Test("refreshDue takes the companies that are due and leaves the rest")
    func refreshDue() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let other = try await harness.services.companies.create(try CompanyName("Borealis Freight"), by: .operator("test"))
            _ = try await harness.services.memberships.grant(.admin, to: harness.admin.id, in: other.id, by: .operator("test"))
            try await harness.optInFully(company: other)
            #expect(try await harness.refresher.refreshDue(limit: 100).isEmpty, "fresh 4-hour tokens are not due")

            // 3 h 55 min later both are within the 24-minute margin (10 % of 4 h).
            harness.clock.advance(by: 4 * 3600 - 5 * 60)
            let outcomes = try await harness.refresher.refreshDue(limit: 100)
            #expect(Set(outcomes.map(\.0)) == [harness.company.id, other.id])
            #expect(outcomes.allSatisfy { if case .refreshed = $0.1 { true } else { false } })
        }
    }
}
