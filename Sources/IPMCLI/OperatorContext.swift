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
