public import Foundation
public import IPMConsole
public import IPMDomain

/// What the CLI needs from the rest of the system. `IPMApp` implements it; the CLI never
/// sees a database type.
public protocol OperatorContext: Sendable {
    var operatorService: OperatorService { get }
    /// Credentials of the deployment's other services (token API, proxy).
    var serviceCredentials: ServiceCredentials { get }
    /// The webhook delivery log, every company's.
    var webhookDeliveries: WebhookDeliveries { get }
    /// Who the audit trail names for what an operator command changes.
    var operatorName: String { get }
    /// Applies pending migrations; the applied ones, in order.
    func migrate() async throws -> [MigrationLine]
    func migrationStatus() async throws -> [MigrationLine]
    /// Refreshes the UPS tokens of the due companies once (or of one company; `force` even
    /// when it is not due) and reports each outcome.
    func refreshTokens(_ company: CompanyReference?, force: Bool) async throws -> [RefreshReport]
    /// Re-seals every stored secret under the key ring's current key.
    func rotateKeys(progress: @escaping @Sendable (KeyRotationSummary) -> Void) async throws -> KeyRotationSummary
    /// Releases the database (and stops an embedded server this process started).
    func shutdown() async
}

/// What `ipm keys rotate` did.
public struct KeyRotationSummary: Sendable, Hashable, Encodable {
    public let currentKeyID: String
    public let tokenPairs: Int
    public let verifiers: Int
    public let unreadable: [String]
    public let remaining: Int

    public init(currentKeyID: String, tokenPairs: Int, verifiers: Int, unreadable: [String], remaining: Int) {
        self.currentKeyID = currentKeyID
        self.tokenPairs = tokenPairs
        self.verifiers = verifiers
        self.unreadable = unreadable
        self.remaining = remaining
    }
}

/// One migration as the CLI shows it.
public struct MigrationLine: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case applied, pending, modified, unknown
    }

    public let fileName: String
    public let state: State
    public let appliedAt: String?

    public init(fileName: String, state: State, appliedAt: String?) {
        self.fileName = fileName
        self.state = state
        self.appliedAt = appliedAt
    }
}

/// How the CLI obtains its context: the composition root provides it. `migrate` tells
/// whether the command is itself a migration command (which must run on an unmigrated database).
public struct OperatorContextFactory: Sendable {
    public let make: @Sendable (_ forMigration: Bool) async throws -> any OperatorContext
    /// A fresh key-ring entry (`id:base64key`) for `ipm keys generate`; needs no database.
    public let generateKey: @Sendable (_ id: String) throws -> String
    /// The context of the admin commands, on the database or a server.
    public let makeAdmin: @Sendable (_ connection: AdminConnection) async throws -> any AdminConsole
    /// The embedded PostgreSQL for `ipm database`; opens nothing.
    public var embeddedDatabase: @Sendable () throws -> any EmbeddedDatabaseControl = {
        throw CLIError("the embedded database is not available in this program")
    }

    public init(
        generateKey: @escaping @Sendable (_ id: String) throws -> String,
        makeAdmin: @escaping @Sendable (_ connection: AdminConnection) async throws -> any AdminConsole,
        _ make: @escaping @Sendable (_ forMigration: Bool) async throws -> any OperatorContext
    ) {
        self.generateKey = generateKey
        self.makeAdmin = makeAdmin
        self.make = make
    }

    /// A factory for the operator commands only; admin commands fail with one line.
    public init(
        generateKey: @escaping @Sendable (_ id: String) throws -> String,
        _ make: @escaping @Sendable (_ forMigration: Bool) async throws -> any OperatorContext
    ) {
        self.init(generateKey: generateKey, makeAdmin: { _ in throw CLIError("admin commands are not available in this program") }, make)
    }
}

/// The embedded PostgreSQL as `ipm database` sees it: looked at and stopped, never started.
public protocol EmbeddedDatabaseControl: Sendable {
    func status() async throws -> EmbeddedDatabaseStatus
    func stop(force: Bool) async throws -> EmbeddedDatabaseStopOutcome
}

/// What `ipm database stop` did.
public enum EmbeddedDatabaseStopOutcome: Sendable, Equatable {
    case stopped, notRunning, inUse
}

/// What `ipm database status` shows.
public struct EmbeddedDatabaseStatus: Sendable, Encodable {
    /// The setting that names another database (`IPM_DATABASE_URL`, the PG* environment), if any.
    public let configuredDatabase: String?
    public let dataDirectory: String
    public let running: Bool
    public let pid: Int32?
    public let startedAt: Date?
    /// Whether an IPM program holds it in use.
    public let inUse: Bool
    public let connections: Int?
    /// `IPM_EMBEDDED_IDLE_STOP`, seconds.
    public let idleStopSeconds: Int
    public let watcherPID: Int32?

    public init(
        configuredDatabase: String?, dataDirectory: String, running: Bool, pid: Int32?, startedAt: Date?, inUse: Bool, connections: Int?,
        idleStopSeconds: Int, watcherPID: Int32?
    ) {
        self.configuredDatabase = configuredDatabase
        self.dataDirectory = dataDirectory
        self.running = running
        self.pid = pid
        self.startedAt = startedAt
        self.inUse = inUse
        self.connections = connections
        self.idleStopSeconds = idleStopSeconds
        self.watcherPID = watcherPID
    }
}
