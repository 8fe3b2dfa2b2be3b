import Foundation
import IPMPostgres
import IPMTestSupport
import Testing

/// The `ipm` operator commands, run as a binary against a fresh database each.
@Suite("ipm operator commands")
struct OperatorCLITests {
    private func freshDatabase(migrated: Bool = true) async throws -> (TestDatabase, [String: String]) {
        let database = try await TestDatabase.fresh(migrated: migrated)
        return (database, ["IPM_DATABASE_URL": database.connectionString])
    }

    private func ipm(_ arguments: String..., env: [String: String], stdin: String? = nil) async throws -> ProgramRun {
        try await Programs.run("ipm", arguments, environment: env, stdin: stdin)
    }

    /// One line on standard error, nothing on standard output, exit 1.
    private func expectOneLineFailure(_ run: ProgramRun, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "exit status", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)", sourceLocation: sourceLocation)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(text), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["ipm", "ipm-server", "ipm-tui", "ups-sandbox"])
    func everyExecutableAnswersHelpAndVersion(program: String) async throws {
        let version = try await Programs.run(program, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try await Programs.run(program, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: \(program)"))
    }

    @Test func migrateAppliesOnceThenIsANoOp() async throws {
        let (database, env) = try await freshDatabase(migrated: false)
        let first = try await ipm("migrate", env: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Applied 0001_companies_admins_connections.sql"))
        let second = try await ipm("migrate", env: env)
        #expect(second.status == 0)
        #expect(second.stdout.contains("up to date"))
        let status = try await ipm("migrate", "status", "--json", env: env)
        #expect(status.stdout.contains("\"state\" : \"applied\""))
        #expect(!status.stdout.contains("pending"))
        await database.drop()
    }

    @Test func concurrentMigrateRunsApplyEachMigrationOnce() async throws {
        let (database, env) = try await freshDatabase(migrated: false)
        async let a = ipm("migrate", env: env)
        async let b = ipm("migrate", env: env)
        async let c = ipm("migrate", env: env)
        let runs = try await [a, b, c]
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs.map(\.stderr))")
        let applied = runs.map { $0.stdout.components(separatedBy: "Applied 0001").count - 1 }.reduce(0, +)
        #expect(applied == 1)
        let rows = try await database.client.query("SELECT count(*)::bigint AS n FROM ipm_schema_migrations")
        #expect(try rows[0].decode("n", as: Int.self) == IPMSchema.migrations.count)
        await database.drop()
    }

    @Test func commandsRefuseAnUnmigratedDatabase() async throws {
        let (database, env) = try await freshDatabase(migrated: false)
        expectOneLineFailure(try await ipm("company", "list", env: env), mentioning: "run `ipm migrate`")
        await database.drop()
    }

    @Test func migrateWorksFromAnyDirectoryBecauseTheSchemaIsEmbedded() async throws {
        let (database, env) = try await freshDatabase(migrated: false)
        let run = try await Programs.run("ipm", ["migrate"], environment: env, directory: URL(fileURLWithPath: "/"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Applied 0001"))
        await database.drop()
    }

    @Test func adminLifecycle() async throws {
        let (database, env) = try await freshDatabase()
        let created = try await ipm(
            "admin", "create", "Alice", "--email", "alice@example.com", "--display-name", "Alice Admin", "--password-stdin", env: env,
            stdin: "a long password 1\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("Created admin Alice"))

        expectOneLineFailure(
            try await ipm("admin", "create", "ALICE", "--password-stdin", env: env, stdin: "a long password 1\n"),
            mentioning: "an admin named 'ALICE' already exists"
        )
        expectOneLineFailure(
            try await ipm("admin", "create", "bob", "--password-stdin", env: env, stdin: "short\n"), mentioning: "at least 10 characters")
        expectOneLineFailure(
            try await ipm("admin", "create", "bad name!", "--password-stdin", env: env, stdin: "a long password 1\n"), mentioning: "sign-in name")
        expectOneLineFailure(
            try await ipm("admin", "create", "bob", "--email", "nope", "--password-stdin", env: env, stdin: "a long password 1\n"),
            mentioning: "not an email address")

        let list = try await ipm("admin", "list", "--json", env: env)
        let admins = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(admins?.count == 1, "a refused create changes nothing")
        #expect(admins?.first?["signInName"] as? String == "Alice")
        #expect(admins?.first?["displayName"] as? String == "Alice Admin")
        #expect(admins?.first?["email"] as? String == "alice@example.com")
        #expect(admins?.first?["disabled"] as? Bool == false)
        #expect(!list.stdout.contains("$2"), "no password hash leaves the repository")

        let changed = try await ipm("admin", "set-password", "alice", "--password-stdin", env: env, stdin: "another password 2\n")
        #expect(changed.status == 0)
        expectOneLineFailure(
            try await ipm("admin", "set-password", "nobody", "--password-stdin", env: env, stdin: "another password 2\n"),
            mentioning: "no admin named 'nobody'")

        let disabled = try await ipm("admin", "disable", "alice", env: env)
        #expect(disabled.stdout.contains("disabled"))
        #expect(try await ipm("admin", "list", env: env).stdout.contains("disabled"))
        expectOneLineFailure(try await ipm("admin", "disable", "nobody", env: env), mentioning: "no admin named 'nobody'")
        await database.drop()
    }

    @Test func passwordIsPromptedWithoutEcho() async throws {
        let (database, env) = try await freshDatabase()
        let ipmPath = try Programs.path("ipm")
        let session = try TerminalSession(ipmPath, ["admin", "create", "carol"], environment: Programs.environment(env))
        let (status, screen) = try await onThread {
            #expect(try session.expect("Password: "))
            session.type("secret password 9\n")
            #expect(try session.expect("Repeat password: "))
            session.type("secret password 9\n")
            return try session.finish()
        }
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("Created admin carol"), "\(screen)")
        #expect(!screen.contains("secret password 9"), "the password was echoed")

        let mismatch = try TerminalSession(ipmPath, ["admin", "create", "dave"], environment: Programs.environment(env))
        let (mismatchStatus, mismatchScreen) = try await onThread {
            #expect(try mismatch.expect("Password: "))
            mismatch.type("secret password 9\n")
            #expect(try mismatch.expect("Repeat password: "))
            mismatch.type("other password 10\n")
            return try mismatch.finish()
        }
        #expect(mismatchStatus == 1)
        #expect(mismatchScreen.contains("do not match"))
        #expect(!(try await ipm("admin", "list", env: env).stdout.contains("dave")))

        let noTerminal = try await ipm("admin", "create", "erin", env: env)
        #expect(noTerminal.stderr.contains("--password-stdin"))
        await database.drop()
    }

    @Test func companiesAndMemberships() async throws {
        let (database, env) = try await freshDatabase()
        _ = try await ipm("admin", "create", "alice", "--password-stdin", env: env, stdin: "a long password 1\n")
        let created = try await ipm("company", "create", "CSShipQA", env: env)
        #expect(created.status == 0)
        expectOneLineFailure(try await ipm("company", "create", "csshipqa", env: env), mentioning: "a company named 'csshipqa' already exists")
        expectOneLineFailure(try await ipm("company", "create", "   ", env: env), mentioning: "company name must not be empty")

        let list = try await ipm("company", "list", "--json", env: env)
        let companies = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(companies.map { $0["name"] as? String } == ["CSShipQA"])
        let id = try #require(companies.first?["id"] as? String)

        let byName = try await ipm("company", "add-admin", "csshipqa", "ALICE", "--role", "viewer", env: env)
        #expect(byName.stdout.contains("alice is now a viewer of CSShipQA"), "\(byName.stdout)\(byName.stderr)")
        let byID = try await ipm("company", "add-admin", id, "alice", "--role", "admin", env: env)
        #expect(byID.stdout.contains("now an admin"))
        expectOneLineFailure(try await ipm("company", "add-admin", "Nope Inc", "alice", env: env), mentioning: "no company named 'Nope Inc'")
        expectOneLineFailure(try await ipm("company", "add-admin", "CSShipQA", "nobody", env: env), mentioning: "no admin named 'nobody'")
        expectOneLineFailure(
            try await ipm("company", "add-admin", "CSShipQA", "alice", "--role", "boss", env: env), mentioning: "role must be admin or viewer")

        let members = try await ipm("company", "members", "CSShipQA", env: env)
        #expect(members.stdout.contains("alice"))
        #expect(members.stdout.contains("admin"))

        let audit = try await database.client.query("SELECT action, actor_kind FROM audit_events ORDER BY occurred_at")
        #expect(try audit.map { try $0.decode("action", as: String.self) } == ["company_created", "membership_granted", "membership_granted"])
        #expect(try audit.allSatisfy { try $0.decode("actor_kind", as: String.self) == "operator" })
        await database.drop()
    }

    @Test func badDatabaseSettingsAreOneLine() async throws {
        expectOneLineFailure(
            try await ipm("company", "list", env: ["IPM_DATABASE_URL": "postgresql://ipm@127.0.0.1:1/ipm"]), mentioning: "the database is unreachable"
        )
        expectOneLineFailure(
            try await ipm("company", "list", env: ["IPM_DATABASE_URL": "bogus=1"]), mentioning: "IPM_DATABASE_URL: expected a libpq connection URL")
        expectOneLineFailure(
            try await ipm("company", "list", env: ["IPM_DATABASE_MAX_CONNECTIONS": "lots"]),
            mentioning: "IPM_DATABASE_MAX_CONNECTIONS: expected a whole number")
        let usage = try await ipm("admin", "create", env: [:])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("Missing expected argument"))
    }

    @Test func serviceTokensAreShownOnceAndStoredAsDigests() async throws {
        let (database, env) = try await freshDatabase()
        let created = try await ipm("service-token", "create", "label-printer", "--scope", "access-token", "--scope", "proxy", env: env)
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("ipm_svc_") && token.count > 40)
        #expect(created.stderr.contains("shown only now"))

        let list = try await ipm("service-token", "list", env: env)
        #expect(list.stdout.contains("label-printer"))
        #expect(list.stdout.contains("access-token,proxy"))
        #expect(list.stdout.contains("active"))
        #expect(!list.stdout.contains(token))
        let json = try await ipm("service-token", "list", "--json", env: env)
        #expect(json.stdout.contains("\"name\" : \"label-printer\""))
        #expect(!json.stdout.contains(token))

        // A 32-byte digest, and the token nowhere in the row.
        let stored = try await database.client.query(
            "SELECT octet_length(token_digest) AS n, service_credentials::text AS row FROM service_credentials")
        #expect(try stored.first?.decode("n", as: Int.self) == 32)
        #expect(try stored.allSatisfy { !(try $0.decode("row", as: String.self)).contains(token) })

        expectOneLineFailure(try await ipm("service-token", "create", "LABEL-PRINTER", "--scope", "proxy", env: env), mentioning: "already exists")
        expectOneLineFailure(try await ipm("service-token", "create", "other", "--scope", "everything", env: env), mentioning: "access-token, proxy")
        #expect(try await ipm("service-token", "create", "other", env: env).status == 64)

        let revoked = try await ipm("service-token", "revoke", "label-printer", env: env)
        #expect(
            revoked.stdout
                == "Revoked service credential label-printer. Servers stop accepting its token within IPM_SERVICE_TOKEN_CACHE seconds (5 by default).\n"
        )
        #expect(try await ipm("service-token", "list", env: env).stdout.contains("revoked"))
        expectOneLineFailure(try await ipm("service-token", "revoke", "label-printer", env: env), mentioning: "label-printer")
        await database.drop()
    }
}
