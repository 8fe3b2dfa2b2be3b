import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Logging
import Testing
import UPSSandbox

@Suite("Secrets at rest")
struct SecretsAtRestTests {
    static let k1 = "k1:" + Data(repeating: 7, count: 32).base64EncodedString()
    static let k2 = "k2:" + Data(repeating: 9, count: 32).base64EncodedString()

    @Test("a tampered ciphertext is refused and nothing is sent to UPS")
    func tamperedCiphertext() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            try await harness.database.client.execute(
                """
                UPDATE ups_connections SET refresh_token_sealed = set_byte(refresh_token_sealed, 20, get_byte(refresh_token_sealed, 20) # 1)
                WHERE company_id = \(harness.company.id.rawValue)
                """)
            let outcome = await harness.refresher.refresh(harness.company.id, force: true)
            guard case .storageFailure(let message) = outcome else {
                Issue.record("outcome: \(outcome)")
                return
            }
            #expect(message.contains("failed authentication"))
            #expect(harness.sandbox.counters[.refreshesServed] == 0)
            #expect(try await harness.connection().status == .authenticated, "a storage fault is not the company's")

            // A pair moved to another company's row does not open there either.
            let other = try await harness.services.companies.create(try CompanyName("Other Co"), by: .operator("test"))
            _ = try await harness.services.memberships.grant(.admin, to: harness.admin.id, in: other.id, by: .operator("test"))
            try await harness.optInFully(company: other)
            try await harness.database.client.execute(
                """
                UPDATE ups_connections SET access_token_sealed = (SELECT access_token_sealed FROM ups_connections WHERE company_id = \(harness.company.id.rawValue))
                WHERE company_id = \(other.id.rawValue)
                """)
            await #expect(throws: SecretBoxError(.tampered)) { try await harness.storedTokens(other) }
        }
    }

    @Test("no token the sandbox issued appears in plain text in a dump of the database or in the logs")
    func noPlainTokens() async throws {
        try await EngineHarness.run { harness in
            var issued: [String] = []
            try await harness.optInFully()
            for _ in 0..<3 {
                if let tokens = try await harness.storedTokens() { issued += [tokens.access.value, tokens.refresh.value] }
                _ = await harness.refresher.refresh(harness.company.id, force: true)
            }
            _ = try harness.sandbox.changePassword(username: EngineHarness.upsUser, to: "Changed-Password-9")
            if let tokens = try await harness.storedTokens() { issued += [tokens.access.value, tokens.refresh.value] }
            _ = await harness.refresher.refresh(harness.company.id, force: true)
            #expect(issued.count == 8)

            let dump = try await PGDump.run(connectionString: harness.database.connectionString)
            #expect(dump.contains("ups_connections"), "the dump holds the tables")
            let logs = harness.logs.all.joined(separator: "\n")
            #expect(!logs.isEmpty)
            for token in issued {
                #expect(!dump.contains(token), "a token is in the database dump")
                #expect(!logs.contains(token), "a token is in the logs")
                // Also the form-encoded shape a request log would show.
                #expect(!logs.contains(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!))
            }
        }
    }

    @Test("ipm keys rotate re-seals every secret under the new key while refreshes keep running")
    func rotationWhileRunning() async throws {
        try await EngineHarness.run(keys: Self.k1) { harness in
            var companies = [harness.company]
            for index in 0..<4 {
                let company = try await harness.services.companies.create(try CompanyName("Rotation \(index)"), by: .operator("test"))
                _ = try await harness.services.memberships.grant(.admin, to: harness.admin.id, in: company.id, by: .operator("test"))
                companies.append(company)
            }
            for company in companies { try await harness.optInFully(company: company) }
            // A pending opt-in holds a sealed PKCE verifier too.
            let pendingSession = SessionBinding(Secret("pending"))
            let pending = try await harness.authorize(session: pendingSession)

            // The new key goes first on the "servers"; the old one still opens.
            let newRing = try AESGCMKeyRing.parse("\(Self.k2),\(Self.k1)")
            let newRefresher = harness.refresher(secrets: newRing)
            let rotation = SecretRotation(
                client: harness.database.client, secrets: newRing, batchSize: 2, logger: harness.logs.logger(label: "rotate"))

            async let refreshing: [RefreshOutcome] = {
                var outcomes: [RefreshOutcome] = []
                for round in 0..<3 {
                    for company in companies where (company.id.hashValue + round) % 2 == 0 || round == 2 {
                        outcomes.append(await newRefresher.refresh(company.id, force: true))
                    }
                }
                return outcomes
            }()
            let summary = try await rotation.rotate()
            let outcomes = await refreshing

            #expect(outcomes.allSatisfy { if case .refreshed = $0 { true } else { false } }, "\(outcomes)")
            #expect(summary.unreadable.isEmpty)
            #expect(summary.verifiers == 1)
            #expect(try await rotation.remaining() == 0)
            let keys = try await harness.database.client.query("SELECT DISTINCT token_key_id FROM ups_connections WHERE token_key_id IS NOT NULL")
            #expect(try keys.map { try $0.decode("token_key_id", as: String.self) } == ["k2"])
            #expect(harness.sandbox.counters[.refreshTokenReuse] == 0)

            // Only the new key is needed now: every pair opens with it alone.
            let onlyNew = try AESGCMKeyRing.parse(Self.k2)
            for company in companies {
                let locked = try await harness.connections.withLockedConnection(company.id, .wait) { (nil, $0) }
                let tokens = try #require(locked?.tokens)
                let access = try onlyNew.open(tokens.accessToken, context: SealedTokenPair.accessTokenContext(company.id))
                #expect(try await harness.track(with: access) == 200)
            }
            // And the pending opt-in, whose verifier was re-sealed, still completes (PKCE checked by the sandbox).
            _ = try await harness.optInEngine(secrets: onlyNew).complete(pending, session: pendingSession)
            #expect(try await harness.connection().status == .authenticated)
        }
    }
}

/// `pg_dump` of a test database, as the unprivileged server account when we are root.
enum PGDump {
    /// Runs on a thread of its own: waiting on a child never blocks a cooperative thread.
    static func run(connectionString: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try runBlocking(connectionString: connectionString) }) }.start()
        }
    }

    private static func runBlocking(connectionString: String) throws -> String {
        let binary = try binaryPath()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--data-only", "--inserts", connectionString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DumpError(status: process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }

    struct DumpError: Error { let status: Int32 }

    /// The newest installed server's pg_dump (the client must not be older than the server).
    static func binaryPath() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root))?.compactMap(Int.init).sorted() ?? []
        if let newest = versions.last { return "\(root)/\(newest)/bin/pg_dump" }
        return "/usr/bin/pg_dump"
    }
}
