import Foundation
import IPMCLI
import IPMPostgres
import Logging

/// `ipm database status` and `stop` on the embedded PostgreSQL of the configured state directory.
struct EmbeddedDatabaseCommands: EmbeddedDatabaseControl {
    let configuration: IPMConfiguration
    let logger: Logger

    private var server: EmbeddedPostgres { EmbeddedPostgres(stateDirectory: configuration.stateDirectory, logger: logger) }

    func status() async throws -> EmbeddedDatabaseStatus {
        let status = server.status()
        let configured: String? =
            switch configuration.database {
            case .url: "IPM_DATABASE_URL"
            case .libpqEnvironment: "the PG* environment"
            case .embedded: nil
            }
        return EmbeddedDatabaseStatus(
            configuredDatabase: configured, dataDirectory: status.dataDirectory.path, running: status.isRunning, pid: status.pid,
            startedAt: status.startedAt, inUse: status.inUse, connections: status.connections,
            idleStopSeconds: configuration.embeddedIdleStop, watcherPID: status.watcherPID
        )
    }

    func stop(force: Bool) async throws -> EmbeddedDatabaseStopOutcome {
        let server = self.server
        switch try await onDedicatedThread({ try server.stopNow(force: force) }) {
        case .stopped: return .stopped
        case .notRunning: return .notRunning
        case .inUse: return .inUse
        }
    }
}
