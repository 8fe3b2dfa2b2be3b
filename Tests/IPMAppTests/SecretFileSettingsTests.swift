import Foundation
import IPMApp
import IPMPostgres
import IPMTestSupport
import Testing

/// Secrets as files, the `_FILE` convention of the official PostgreSQL image (decision 60):
/// what a container reads from `/run/secrets/…` instead of its environment.
@Suite("Secret file settings")
struct SecretFileSettingsTests {
    /// A file holding `content` in a directory of its own, removed after `body`.
    static func withFile<T>(_ content: String, mode: Int = 0o600, _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-secret-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("secret").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8), attributes: [.posixPermissions: mode]))
        return try body(path)
    }

    /// The one line a configuration that cannot load stops with, or `nil` when it loads.
    static func loadError(_ environment: [String: String]) -> String? {
        do {
            _ = try IPMConfiguration.load(environment: environment)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let keyRing = "k1:" + Data(repeating: 7, count: 32).base64EncodedString()

    @Test func everySecretCanComeFromAFileWithItsLineEndDropped() throws {
        try Self.withFile(Self.keyRing + "\n") { path in
            let value = try IPMConfiguration.load(environment: ["IPM_ENCRYPTION_KEYS_FILE": path]).encryptionKeys
            #expect(value == Self.keyRing)
        }
        try Self.withFile("client-secret\r\n") { path in
            let value = try IPMConfiguration.load(environment: ["IPM_UPS_CLIENT_SECRET_FILE": path]).upsClientSecret
            #expect(value == "client-secret")
        }
        try Self.withFile("client-id") { path in
            let value = try IPMConfiguration.load(environment: ["IPM_UPS_CLIENT_ID_FILE": path]).upsClientID
            #expect(value == "client-id")
        }
        let webhookSecret = String(repeating: "w", count: 40)
        try Self.withFile(webhookSecret + "\n") { path in
            let configuration = try IPMConfiguration.load(environment: [
                "IPM_WEBHOOK_SECRET_FILE": path, "IPM_WEBHOOK_URL": "http://127.0.0.1:9/hook",
            ])
            #expect(configuration.webhookSecret == webhookSecret)
        }
        let metricsToken = String(repeating: "m", count: 32)
        try Self.withFile(metricsToken) { path in
            let value = try IPMConfiguration.load(environment: ["IPM_METRICS_TOKEN_FILE": path]).metricsToken
            #expect(value == metricsToken)
        }
        try Self.withFile("postgresql://ipm:pw@db:5432/ipm\n") { path in
            let value = try IPMConfiguration.load(environment: ["IPM_DATABASE_URL_FILE": path]).database
            #expect(value == .url("postgresql://ipm:pw@db:5432/ipm"))
        }
    }

    /// A value from a file is checked like one from the environment.
    @Test func aValueFromAFileIsValidatedLikeAnyOther() throws {
        try Self.withFile("short") { path in
            #expect(
                Self.loadError(["IPM_METRICS_TOKEN_FILE": path])
                    == "IPM_METRICS_TOKEN: expected at least 32 printable characters without spaces, got 5 characters")
        }
    }

    @Test func bothTheSettingAndItsFileAreOneLine() throws {
        try Self.withFile("from-file") { path in
            #expect(
                Self.loadError(["IPM_UPS_CLIENT_SECRET": "from-env", "IPM_UPS_CLIENT_SECRET_FILE": path])
                    == "IPM_UPS_CLIENT_SECRET_FILE: expected either IPM_UPS_CLIENT_SECRET or IPM_UPS_CLIENT_SECRET_FILE, not both")
        }
    }

    @Test func aMissingEmptyOrMultiLineFileIsOneLineNamingTheSetting() throws {
        #expect(
            Self.loadError(["IPM_ENCRYPTION_KEYS_FILE": "/nonexistent/ipm_keys"])
                == "IPM_ENCRYPTION_KEYS_FILE: expected a readable file, cannot read /nonexistent/ipm_keys")
        try Self.withFile("\n") { path in
            #expect(
                Self.loadError(["IPM_ENCRYPTION_KEYS_FILE": path])
                    == "IPM_ENCRYPTION_KEYS_FILE: expected the value of IPM_ENCRYPTION_KEYS in \(path), the file is empty")
        }
        try Self.withFile("a\nb\n") { path in
            #expect(
                Self.loadError(["IPM_UPS_CLIENT_SECRET_FILE": path]) == "IPM_UPS_CLIENT_SECRET_FILE: expected one line in \(path), it has several")
        }
    }

    /// Only secrets take a file: any other `…_FILE` is not read (IPM_CONFIG_FILE means the settings file).
    @Test func aSettingThatIsNoSecretTakesNoFile() throws {
        try Self.withFile("9999") { path in
            let value = try IPMConfiguration.load(environment: ["IPM_HTTP_PORT_FILE": path]).httpPort
            #expect(value == 8080)
        }
    }

    /// A settings file that names where the secrets are holds no secret itself: it may be world-readable.
    @Test func aSettingsFileThatNamesSecretFilesNeedsNoPrivateMode() throws {
        try Self.withFile(Self.keyRing) { keys in
            try Self.withFile("IPM_ENCRYPTION_KEYS_FILE=\(keys)\nIPM_HTTP_PORT=8181\n", mode: 0o644) { settings in
                let configuration = try IPMConfiguration.load(environment: ["IPM_CONFIG_FILE": settings])
                #expect(configuration.encryptionKeys == Self.keyRing)
                #expect(configuration.httpPort == 8181)
            }
        }
    }

    @Test func theDatabasePasswordJoinsTheURLOrTheKeywordString() throws {
        try Self.withFile("p@ss w/rd'\\\n") { path in
            let url = try IPMConfiguration.load(environment: ["IPM_DATABASE_URL": "postgresql://ipm@db:5432/ipm", "IPM_DATABASE_PASSWORD_FILE": path])
            #expect(url.database == .url("postgresql://ipm@db:5432/ipm?password=p%40ss%20w%2Frd%27%5C"))
            let query = try IPMConfiguration.load(environment: [
                "IPM_DATABASE_URL": "postgres://ipm@db/ipm?sslmode=require", "IPM_DATABASE_PASSWORD_FILE": path,
            ])
            #expect(query.database == .url("postgres://ipm@db/ipm?sslmode=require&password=p%40ss%20w%2Frd%27%5C"))
            let keywords = try IPMConfiguration.load(environment: [
                "IPM_DATABASE_URL": "host=db dbname=ipm user=ipm", "IPM_DATABASE_PASSWORD_FILE": path,
            ])
            #expect(keywords.database == .url(#"host=db dbname=ipm user=ipm password='p@ss w/rd\'\\'"#))
            let libpq = try IPMConfiguration.load(environment: ["PGHOST": "db", "IPM_DATABASE_PASSWORD_FILE": path])
            #expect(libpq.database == .url(#"password='p@ss w/rd\'\\'"#))
            // libpq itself accepts each form.
            for configuration in [url, query, keywords, libpq] {
                guard case .url(let string) = configuration.database else {
                    Issue.record("not a URL")
                    continue
                }
                do {
                    try PostgresConfiguration(connectionString: string).validate()
                } catch {
                    Issue.record("libpq refuses the connection string: \(error)")
                }
            }
        }
    }

    @Test func aPasswordInTwoPlacesOrWithoutAServerIsRefused() {
        #expect(
            Self.loadError(["IPM_DATABASE_URL": "postgresql://ipm:old@db/ipm", "IPM_DATABASE_PASSWORD": "new"])
                == "IPM_DATABASE_PASSWORD: expected no password in IPM_DATABASE_URL as well; give it in one place")
        #expect(
            Self.loadError(["IPM_DATABASE_PASSWORD": "pw"])
                == "IPM_DATABASE_PASSWORD: expected IPM_DATABASE_URL or PGHOST with it; the embedded PostgreSQL needs no password")
    }

    /// The real programs read the file: `ipm migrate status` reaches the database whose URL is
    /// only in a file, and the URL is in neither its environment nor its output.
    @Test func aProgramReachesTheDatabaseNamedInAFile() async throws {
        let database = try await TestDatabase.fresh()
        let run = try await Self.withFileAsync(database.connectionString + "\n") { path in
            try await Programs.run("ipm", ["migrate", "status"], environment: ["IPM_DATABASE_URL_FILE": path])
        }
        await database.drop()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("applied"), "\(run.stdout)")
        #expect(!run.stdout.contains(database.connectionString) && !run.stderr.contains(database.connectionString))
    }
}

extension SecretFileSettingsTests {
    static func withFileAsync<T>(_ content: String, _ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-secret-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("secret").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]))
        return try await body(path)
    }
}
