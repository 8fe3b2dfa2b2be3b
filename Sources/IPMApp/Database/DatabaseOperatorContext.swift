import Foundation
import IPMCLI
import IPMDomain
import IPMMigrationKit
import IPMOAuth
import IPMPostgres
import Logging

/// The CLI's context: the operator service on the opened database, and the migration runner.
struct DatabaseOperatorContext: OperatorContext {
    let configuration: IPMConfiguration
    let database: AppDatabase
    let services: DomainServices
    let logger: Logger

    var operatorService: OperatorService { services.operatorService(operatorName: Self.operatorName) }

    var serviceCredentials: ServiceCredentials {
        ServiceCredentials(
            repository: PostgresServiceCredentialRepository(client: database.client), clock: services.clock, random: SystemRandomSource())
    }

    var webhookDeliveries: WebhookDeliveries { services.webhookDeliveries }

    var operatorName: String { Self.operatorName }

    /// The person at the command line, recorded as the operator in audit events.
    static var operatorName: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }

    func migrate() async throws -> [MigrationLine] {
        let applied = try await runner.migrate()
        return applied.map { MigrationLine(fileName: $0.fileName, state: .applied, appliedAt: nil) }
    }

    func migrationStatus() async throws -> [MigrationLine] {
        try await runner.status().map { status in
            switch status.state {
            case .applied(let date): MigrationLine(fileName: status.fileName, state: .applied, appliedAt: date.formatted(.iso8601))
            case .pending: MigrationLine(fileName: status.fileName, state: .pending, appliedAt: nil)
            case .modified: MigrationLine(fileName: status.fileName, state: .modified, appliedAt: nil)
            case .unknown: MigrationLine(fileName: status.fileName, state: .unknown, appliedAt: nil)
            }
        }
    }

    func refreshTokens(_ reference: CompanyReference?, force: Bool) async throws -> [RefreshReport] {
        let oauth = try OAuthComponents.make(configuration, services: services, client: database.client, logger: logger)
        do {
            let reports = try await oauth.refresher.reports(for: reference, force: force, companies: services.companies)
            await oauth.shutdown()
            return reports
        } catch {
            await oauth.shutdown()
            throw error
        }
    }

    func rotateKeys(progress: @escaping @Sendable (KeyRotationSummary) -> Void) async throws -> KeyRotationSummary {
        let rotation = SecretRotation(client: database.client, secrets: try KeyRingLoader.load(configuration), logger: logger)
        let summary = try await rotation.rotate { progress(KeyRotationSummary($0)) }
        return KeyRotationSummary(summary)
    }

    func shutdown() async {
        await database.close()
    }

    private var runner: MigrationRunner {
        MigrationRunner(client: database.client, migrations: IPMSchema.migrations, logger: logger)
    }
}
