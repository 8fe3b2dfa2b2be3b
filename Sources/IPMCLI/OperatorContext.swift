public import IPMDomain

/// What the CLI needs from the rest of the system. `IPMApp` implements it; the CLI never
/// sees a database type.
public protocol OperatorContext: Sendable {
    var operatorService: OperatorService { get }
    /// Applies pending migrations; the applied ones, in order.
    func migrate() async throws -> [MigrationLine]
    func migrationStatus() async throws -> [MigrationLine]
    /// Releases the database (and stops an embedded server this process started).
    func shutdown() async
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

    public init(_ make: @escaping @Sendable (_ forMigration: Bool) async throws -> any OperatorContext) {
        self.make = make
    }
}
