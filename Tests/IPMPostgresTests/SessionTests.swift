import Foundation
import IPMDomain
import IPMPasswordHashing
import IPMPostgres
import IPMTestSupport
import Synchronization
import Testing

/// Sign-in, sessions and throttling against a real PostgreSQL.
@Suite("Sessions and sign-in")
struct SessionTests {
    let database: TestDatabase
    let clock = TestClock()
    let admins: PostgresAdminRepository
    let service: SessionService

    init() async throws {
        database = try await TestDatabase.fresh()
        admins = try PostgresAdminRepository(client: database.client, hasher: BcryptPasswordHasher(cost: 4), clock: clock)
        service = SessionService(
            admins: admins, sessions: PostgresSessionRepository(client: database.client),
            throttle: PostgresSignInThrottle(client: database.client), clock: clock, random: SystemRandomSource(),
            limits: .init(window: 900, perName: 3, perAddress: 5)
        )
    }

    private func makeAdmin(_ name: String) async throws -> Admin {
        try await admins.create(try NewAdmin(signInName: try SignInName(name)), password: try Password("correct horse battery"))
    }

    @Test func signInResolveAndSignOut() async throws {
        let admin = try await makeAdmin("alice")
        let issued = try await service.signIn("ALICE", password: try Password("correct horse battery"), clientAddress: "127.0.0.1", kind: .web)
        #expect(issued.admin.id == admin.id)
        #expect(issued.token.value.count == 43)
        let resolved = try #require(try await service.resolve(issued.token))
        #expect(resolved.admin.id == admin.id)
        #expect(resolved.session.kind == .web)
        #expect(try await service.resolve(Secret("forged")) == nil)

        // Only the digest is stored.
        let dump = try await database.client.query("SELECT encode(token_digest, 'escape') AS d FROM admin_sessions")
        #expect(try dump.allSatisfy { try !$0.decode("d", as: String.self).contains(issued.token.value) })

        try await service.signOut(issued.token)
        #expect(try await service.resolve(issued.token) == nil)
    }

    @Test func wrongPasswordAndUnknownNameReadAlike() async throws {
        _ = try await makeAdmin("bob")
        let wrong = await #expect(throws: SignInFailure.self) {
            try await service.signIn("bob", password: try Password("not the password"), clientAddress: nil, kind: .cli)
        }
        let unknown = await #expect(throws: SignInFailure.self) {
            try await service.signIn("nobody", password: try Password("not the password"), clientAddress: nil, kind: .cli)
        }
        #expect(wrong == .invalidCredentials)
        #expect(unknown == .invalidCredentials)
    }

    @Test func failuresAreThrottledPerNameAndPerAddress() async throws {
        _ = try await makeAdmin("carol")
        for _ in 0..<3 {
            _ = try? await service.signIn("carol", password: try Password("wrong password!"), clientAddress: "10.0.0.1", kind: .web)
        }
        // Even the right password is refused while the name is throttled.
        let throttled = await #expect(throws: SignInFailure.self) {
            try await service.signIn("carol", password: try Password("correct horse battery"), clientAddress: "10.0.0.2", kind: .web)
        }
        guard case .throttled(let retryAfter) = throttled else {
            Issue.record("\(String(describing: throttled))")
            return
        }
        #expect(retryAfter > 800 && retryAfter <= 900)
        #expect(throttled?.description == "Too many failed sign-ins. Try again in 15 minutes.")

        // The window passes: the name may try again.
        clock.advance(by: 901)
        _ = try await service.signIn("carol", password: try Password("correct horse battery"), clientAddress: "10.0.0.2", kind: .web)

        // One address guessing many names is stopped too.
        for index in 0..<5 {
            _ = try? await service.signIn("guess\(index)", password: try Password("wrong password!"), clientAddress: "10.9.9.9", kind: .web)
        }
        await #expect(throws: SignInFailure.self) {
            try await service.signIn("carol", password: try Password("correct horse battery"), clientAddress: "10.9.9.9", kind: .web)
        }
    }

    @Test func sessionsEndWhenIdleExpiredOrTheAdminIsDisabled() async throws {
        let admin = try await makeAdmin("dave")
        let web = try await service.signIn("dave", password: try Password("correct horse battery"), clientAddress: nil, kind: .web)
        clock.advance(by: 29 * 60)
        #expect(try await service.resolve(web.token) != nil, "used within the idle timeout")
        clock.advance(by: 29 * 60)
        #expect(try await service.resolve(web.token) != nil, "use renews the idle timeout")
        clock.advance(by: 31 * 60)
        #expect(try await service.resolve(web.token) == nil, "idle for more than 30 minutes")

        let cli = try await service.signIn("dave", password: try Password("correct horse battery"), clientAddress: nil, kind: .cli)
        for _ in 0..<9 {
            clock.advance(by: 10 * 86_400)
            _ = try await service.resolve(cli.token)
        }
        #expect(try await service.resolve(cli.token) == nil, "past the 90-day absolute lifetime")

        let again = try await service.signIn("dave", password: try Password("correct horse battery"), clientAddress: nil, kind: .cli)
        try await admins.setDisabled(admin.id, true)
        #expect(try await service.resolve(again.token) == nil, "a disabled admin's sessions stop at once")
        await #expect(throws: SignInFailure.invalidCredentials, "a disabled account reads like a wrong password") {
            try await service.signIn("dave", password: try Password("correct horse battery"), clientAddress: nil, kind: .cli)
        }
    }
}

/// System time plus an offset the test moves.
final class TestClock: IPMDomain.Clock {
    private let offset = Mutex<TimeInterval>(0)
    func now() -> Date { SystemClock().now().addingTimeInterval(offset.withLock { $0 }) }
    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
