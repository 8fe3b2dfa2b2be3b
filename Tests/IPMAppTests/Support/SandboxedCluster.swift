import AsyncHTTPClient
import Foundation
import IPMPostgres
import IPMTestSupport
import Logging
import Testing

/// What the multi-process suites stand on: a PostgreSQL cluster they may restart, migrated,
/// with a client on it; one `ups-sandbox` process that knows one app and one UPS.com user; and
/// an HTTP client that drives the sandbox's sign-in. Torn down in reverse whether the body
/// succeeds or throws; the `ipm-server`s a body starts are its own to stop.
struct SandboxedCluster {
    /// The sandbox's one app and one UPS.com user.
    struct Sandbox {
        var appName: String
        var clientID: String
        var clientSecret: String
        var redirect: String
        var user: (username: String, password: String)
        var accessTokenSeconds: Int

        var configuration: String {
            """
            {"clients": [{"clientId": "\(clientID)", "clientSecret": "\(clientSecret)", "redirectURIs": ["\(redirect)"], "appName": "\(appName)"}],
             "users": [{"username": "\(user.username)", "email": "shipper@example.com", "password": "\(user.password)"}],
             "lifetimes": {"accessTokenSeconds": \(accessTokenSeconds)}}
            """
        }
    }

    let cluster: RestartableCluster
    let client: PostgresClient
    let http: HTTPClient
    let sandboxURL: URL

    static func run(
        _ sandbox: Sandbox, maxConnections: Int, _ body: (SandboxedCluster) async throws -> Void
    ) async throws {
        let cluster = try await RestartableCluster.start()
        defer { cluster.destroy() }
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        var configuration = PostgresConfiguration(connectionString: cluster.url, maxConnections: maxConnections)
        configuration.connectTimeoutSeconds = 2
        let client = PostgresClient(configuration: configuration, logger: quiet)
        _ = try await MigrationRunner(client: client, migrations: IPMSchema.migrations, logger: quiet).migrate()
        let http = UPSSignInDriver.makeHTTPClient()
        let configFile = FileManager.default.temporaryDirectory.appendingPathComponent("sandboxed-cluster-\(UUID().uuidString).json")
        try Data(sandbox.configuration.utf8).write(to: configFile)
        defer { try? FileManager.default.removeItem(at: configFile) }
        let process = try ServerProcess(program: "ups-sandbox", arguments: ["--config", configFile.path, "--port", "0", "--log-level", "notice"])
        do {
            let sandboxURL = try #require(await process.waitUntilListening(seconds: 30), "ups-sandbox did not come up: \(process.log)")
            try await body(SandboxedCluster(cluster: cluster, client: client, http: http, sandboxURL: sandboxURL))
        } catch {
            _ = await process.stop()
            try? await http.shutdown()
            await client.close()
            throw error
        }
        _ = await process.stop()
        try await http.shutdown()
        await client.close()
    }
}
