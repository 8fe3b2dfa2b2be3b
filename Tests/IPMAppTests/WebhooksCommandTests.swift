import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Testing
import UPSSandbox

/// `ipm webhooks list` and `redeliver` as binaries on a fresh database, and the delivery
/// gauge of an `ipm-server` whose webhook receiver cannot be reached.
@Suite("ipm webhooks")
struct WebhooksCommandTests {
    /// A database with one company whose admin opted in (one webhook event waiting), the
    /// sandbox serving, and the environment an operator would have.
    private func withOptedInCompany(_ body: (_ env: [String: String], _ database: TestDatabase) async throws -> Void) async throws {
        let database = try await TestDatabase.fresh()
        do {
            try await OptInHarness.withSandbox { _, url, http in
                let env = OptInHarness.environment(database: database, sandboxURL: url)
                #expect(try await Programs.run("ipm", ["company", "create", "Acme Logistics"], environment: env).status == 0)
                #expect(
                    try await Programs.run(
                        "ipm", ["admin", "create", "alice", "--password-stdin"], environment: env, stdin: "correct horse battery\n"
                    ).status == 0)
                #expect(try await Programs.run("ipm", ["company", "add-admin", "Acme Logistics", "alice"], environment: env).status == 0)
                try await OptInHarness.optIn(
                    company: "Acme Logistics", by: "alice", binding: SessionBinding(Secret("cli-test")), database: database, sandboxURL: url,
                    http: http
                )
                try await body(env, database)
            }
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    /// One Prometheus sample's value.
    static func sample(_ text: String, _ name: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    static func lines(_ run: ProgramRun) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], "\(run.stdout) \(run.stderr)")
    }

    @Test("list shows each delivery, --failed the dead and failing ones; redeliver makes a dead one pending and is recorded as the operator's")
    func listAndRedeliver() async throws {
        try await withOptedInCompany { env, database in
            let listed = try await Programs.run("ipm", ["webhooks", "list"], environment: env)
            #expect(listed.status == 0, "\(listed.stderr)")
            for word in ["ID", "COMPANY", "EVENT", "STATE", "ATTEMPTS", "Acme Logistics", "ups_connection.opted_in", "pending"] {
                #expect(listed.stdout.contains(word), "\(listed.stdout)")
            }
            let none = try await Programs.run("ipm", ["webhooks", "list", "--failed"], environment: env)
            #expect(none.status == 0)
            #expect(none.stdout == "No webhook delivery has failed.\n")

            // A server's deliverer tried it and gave up (the outbox as the deliverer writes it).
            let outbox = PostgresWebhookOutbox(client: database.client)
            let attempted = try await outbox.deliverNext(at: Date()) { _ in .dead(status: 502, error: "HTTP 502") }
            #expect(attempted)
            let dead = try Self.lines(try await Programs.run("ipm", ["webhooks", "list", "--failed", "--json"], environment: env))
            #expect(dead.count == 1)
            let line = try #require(dead.first)
            #expect(line["state"] as? String == "dead" && line["attempts"] as? Int == 1)
            #expect(line["lastStatus"] as? Int == 502 && line["lastError"] as? String == "HTTP 502")
            #expect(line["companyName"] as? String == "Acme Logistics" && line["event"] as? String == "ups_connection.opted_in")
            #expect(line["deadAt"] is String && line["nextAttemptAt"] == nil)
            let id = try #require(line["id"] as? String)
            let table = try await Programs.run("ipm", ["webhooks", "list", "--failed"], environment: env)
            #expect(table.stdout.contains(id) && table.stdout.contains("dead") && table.stdout.contains("HTTP 502"), "\(table.stdout)")

            let redelivered = try await Programs.run("ipm", ["webhooks", "redeliver", id], environment: env)
            #expect(redelivered.status == 0, "\(redelivered.stderr)")
            #expect(redelivered.stdout == "Webhook event ups_connection.opted_in of Acme Logistics will be sent again by the next delivery pass.\n")
            let pending = try #require(try Self.lines(try await Programs.run("ipm", ["webhooks", "list", "--json"], environment: env)).first)
            #expect(pending["state"] as? String == "pending" && pending["nextAttemptAt"] is String && pending["deadAt"] == nil)
            let company = try #require(
                try await PostgresCompanyRepository(client: database.client, clock: SystemClock()).find(try CompanyReference("Acme Logistics")))
            let recorded = try #require(
                try await PostgresAuditEventRepository(client: database.client).events(for: company.id, limit: 1, before: nil).first)
            #expect(recorded.action == .webhookRedelivered)
            if case .operator = recorded.actor {} else { Issue.record("recorded as \(recorded.actor), not an operator") }

            for (argument, message) in [("not-an-id", "is not a delivery ID"), (UUID().uuidString, "no webhook delivery")] {
                let wrong = try await Programs.run("ipm", ["webhooks", "redeliver", argument], environment: env)
                #expect(wrong.status == 1)
                #expect(wrong.stderr.hasPrefix("ipm: ") && wrong.stderr.contains(message), "\(wrong.stderr)")
                #expect(wrong.stderr.split(separator: "\n").count == 1)
            }
            let badLimit = try await Programs.run("ipm", ["webhooks", "list", "--limit", "0"], environment: env)
            #expect(badLimit.status == 64)
        }
    }

    @Test("ipm-server gives up on a receiver it cannot reach after IPM_WEBHOOK_GIVE_UP_AFTER and reports it in ipm_webhook_deliveries")
    func serverGivesUpAndCounts() async throws {
        try await withOptedInCompany { env, _ in
            var settings = env
            settings["IPM_WEBHOOK_URL"] = "http://127.0.0.1:1/hook"
            settings["IPM_WEBHOOK_SECRET"] = String(repeating: "s", count: 32)
            settings["IPM_WEBHOOK_GIVE_UP_AFTER"] = "1"
            settings["IPM_REFRESH_INTERVAL"] = "1"
            let server = try ServerProcess(environment: settings)
            let base = try #require(await server.waitUntilListening(), "ipm-server did not come up: \(server.log)")
            let metrics = base.appendingPathComponent("metrics").absoluteString
            var sample = ""
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                sample = try await Programs.run("/usr/bin/curl", ["-s", "--max-time", "5", metrics]).stdout
                if Self.sample(sample, #"ipm_webhook_deliveries{state="dead"}"#) == 1 { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(Self.sample(sample, #"ipm_webhook_deliveries{state="dead"}"#) == 1, "\(sample)\n\(server.log)")
            #expect(Self.sample(sample, #"ipm_webhook_deliveries{state="pending"}"#) == 0, "\(sample)")
            let line = try #require(try Self.lines(try await Programs.run("ipm", ["webhooks", "list", "--json"], environment: env)).first)
            #expect(line["state"] as? String == "dead")
            #expect(line["lastStatus"] == nil && (line["lastError"] as? String)?.isEmpty == false, "nothing answered: \(line)")
            #expect(server.log.contains("webhook delivery failed for longer than the give-up period"), "\(server.log)")
            let stopped = await server.stop()
            #expect(stopped.status == 0, "\(server.log)")
        }
    }
}
