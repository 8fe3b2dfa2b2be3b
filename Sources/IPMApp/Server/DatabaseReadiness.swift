import IPMHTTP
import IPMPostgres

/// `/readyz`'s check: the database answers a trivial query.
struct DatabaseReadiness: ReadinessCheck {
    let client: PostgresClient
    var name: String { "database" }
    func check() async throws { try await client.ping() }
}
