public import Foundation
import IPMMigrationKit

/// Where one migration stands in a database.
public struct MigrationStatus: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let state: State

    public enum State: Sendable, Equatable {
        /// Applied at this time, with the same checksum as this binary's file.
        case applied(Date)
        /// Known to this binary, not yet applied.
        case pending
        /// Applied, but this binary's file has a different checksum (it was edited).
        case modified
        /// Applied in the database, unknown to this binary (the database is newer).
        case unknown
    }

    public init(version: Int, name: String, state: State) {
        self.version = version
        self.name = name
        self.state = state
    }

    /// `0002_add_x.sql`.
    public var fileName: String { MigrationFileName(version: version, name: name).description }
}
