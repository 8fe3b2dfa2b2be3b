import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Testing
import UPSSandbox

@Suite("Opt-in against the UPS sandbox")
struct OptInTests {
    @Test("the full opt-in stores a sealed pair, authenticates the company and records who did it")
    func fullOptIn() async throws {
        try await EngineHarness.run { harness in
            let completion = try await harness.optInFully()
            #expect(completion.company.id == harness.company.id)
            let connection = try await harness.connection()
            #expect(connection.status == .authenticated)
            #expect(connection.authorizedBy == harness.admin.id)
            #expect(connection.accessTokenExpiresAt.map { $0 > harness.clock.now().addingTimeInterval(3600) } == true)
            #expect(connection.refreshTokenExpiresAt != nil)
            let events = try await harness.events()
            #expect(events.first?.action == .optedIn)
            #expect(events.first?.actor == .admin(harness.admin.id, harness.admin.signInName))

            let tokens = try #require(try await harness.storedTokens())
            #expect(try await harness.track(with: tokens.access) == 200, "UPS's resource API accepts the stored access token")
            #expect(try await harness.track(with: Secret("not-a-token")) == 401)
            #expect(harness.sandbox.counters[.codesRedeemed] == 1)
        }
    }

    @Test("opting in again while authenticated replaces the tokens")
    func optInAgainReplacesTokens() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let first = try #require(try await harness.storedTokens())
            try await harness.optInFully()
            let second = try #require(try await harness.storedTokens())
            #expect(first.access != second.access)
            #expect(first.refresh != second.refresh)
            #expect(try await harness.connection().status == .authenticated)
            #expect(try await harness.events().first?.detail.contains("replaced") == true)
        }
    }

    @Test("a callback without state, with an unknown state, or with another session's state changes nothing")
    func badStatesAreRefused() async throws {
        try await EngineHarness.run { harness in
            let session = SessionBinding(Secret("browser-1"))
            let callback = try await harness.authorize(session: session)
            let eventsBefore = try await harness.events()

            await #expect(throws: OptInFailure.missingState) {
                try await harness.optIn.complete(OptInCallback(code: callback.code, state: nil), session: session)
            }
            await #expect(throws: OptInFailure.unknownState) {
                try await harness.optIn.complete(OptInCallback(code: callback.code, state: "forged-state"), session: session)
            }
            await #expect(throws: OptInFailure.foreignSession) {
                try await harness.optIn.complete(callback, session: SessionBinding(Secret("browser-2")))
            }
            #expect(try await harness.connection().status == .notConnected)
            #expect(try await harness.events() == eventsBefore)
            #expect(harness.sandbox.counters[.codesRedeemed] == 0, "no code was exchanged")

            // The stranger's attempt did not spend the request: the admin still completes it.
            _ = try await harness.optIn.complete(callback, session: session)
            #expect(try await harness.connection().status == .authenticated)
        }
    }

    @Test("a replayed callback is refused and changes nothing")
    func replayIsRefused() async throws {
        try await EngineHarness.run { harness in
            let session = SessionBinding(Secret("browser-1"))
            let callback = try await harness.authorize(session: session)
            _ = try await harness.optIn.complete(callback, session: session)
            let tokens = try await harness.storedTokens()
            let events = try await harness.events()
            await #expect(throws: OptInFailure.alreadyUsed) {
                try await harness.optIn.complete(callback, session: session)
            }
            #expect(try await harness.storedTokens()?.access == tokens?.access)
            #expect(try await harness.events() == events)
            #expect(harness.sandbox.counters[.codesRedeemed] == 1, "the code was not sent again")
        }
    }

    @Test("an opt-in older than ten minutes has expired")
    func expiredRequestIsRefused() async throws {
        try await EngineHarness.run { harness in
            let session = SessionBinding(Secret("browser-1"))
            let callback = try await harness.authorize(session: session)
            harness.clock.advance(by: 10 * 60 + 1)
            await #expect(throws: OptInFailure.expired) {
                try await harness.optIn.complete(callback, session: session)
            }
            #expect(try await harness.connection().status == .notConnected)
            #expect(harness.sandbox.counters[.codesRedeemed] == 0)
        }
    }

    @Test("cancelling at UPS ends the opt-in with a clear reason and changes nothing")
    func cancelledAtUPS() async throws {
        try await EngineHarness.run { harness in
            let session = SessionBinding(Secret("browser-1"))
            let start = try await harness.optIn.start(.id(harness.company.id), by: harness.admin, session: session)
            let back = try await harness.browser.signIn(
                authorizationURL: start.authorizationURL, username: EngineHarness.upsUser, password: "", cancel: true)
            let callback = OptInCallback(redirectedURL: back)
            #expect(callback.error == "access_denied")
            do {
                _ = try await harness.optIn.complete(callback, session: session)
                Issue.record("a cancelled opt-in completed")
            } catch let failure as OptInFailure {
                #expect(failure.description == "The opt-in was cancelled at UPS. Nothing was changed.")
            }
            #expect(try await harness.connection().status == .notConnected)
        }
    }

    @Test("a viewer cannot start an opt-in, and an admin disabled meanwhile cannot complete one")
    func rightsAreCheckedAtBothEnds() async throws {
        try await EngineHarness.run { harness in
            let viewer = try await harness.services.admins.create(
                try NewAdmin(signInName: try SignInName("victor")), password: try Password("correct horse battery"))
            _ = try await harness.services.memberships.grant(.viewer, to: viewer.id, in: harness.company.id, by: .operator("test"))
            await #expect(throws: DomainError.self) {
                try await harness.optIn.start(.id(harness.company.id), by: viewer, session: SessionBinding(Secret("s")))
            }

            let session = SessionBinding(Secret("browser-1"))
            let callback = try await harness.authorize(session: session)
            try await harness.services.admins.setDisabled(harness.admin.id, true)
            do {
                _ = try await harness.optIn.complete(callback, session: session)
                Issue.record("a disabled admin completed an opt-in")
            } catch let failure as OptInFailure {
                guard case .notAllowed = failure else { throw failure }
            }
            #expect(try await harness.connection().status == .notConnected)
            #expect(harness.sandbox.counters[.codesRedeemed] == 0)
        }
    }

    @Test("opt-out destroys the tokens and records it")
    func optOutDestroysTokens() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let access = CompanyAccess(
                companies: harness.services.companies, memberships: harness.services.memberships,
                connections: harness.connections, audit: harness.audit, clock: harness.clock
            )
            let connection = try await access.optOut(.id(harness.company.id), by: harness.admin)
            #expect(connection.status == .optedOut)
            #expect(try await harness.storedTokens() == nil)
            let stored = try await harness.database.client.query(
                """
                SELECT access_token_sealed IS NULL AND refresh_token_sealed IS NULL AND token_key_id IS NULL AS gone
                FROM ups_connections WHERE company_id = \(harness.company.id.rawValue)
                """)
            #expect(try stored.first?.decode("gone", as: Bool.self) == true)
            #expect(try await harness.events().first?.action == .optedOut)
        }
    }
}
