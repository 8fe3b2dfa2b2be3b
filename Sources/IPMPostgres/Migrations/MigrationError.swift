/// Why `MigrationRunner` refused or stopped. Its description is written for the operator
/// running `ipm migrate`: it names the file and says what to do.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case checksumMismatch
        case migrationFailed
        case unknownVersions
    }

    private let kind: Kind
    /// The migration file concerned (the first one, for a checksum mismatch).
    public private(set) var fileName: String?
    /// The server's primary message, for a migration that failed.
    public private(set) var serverMessage: String?
    /// Versions applied in the database that this binary does not know.
    public private(set) var versions: [Int] = []

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// An applied migration's file was edited afterwards.
    public static let checksumMismatch = MigrationError(.checksumMismatch)
    /// A migration's SQL failed; it was rolled back and later ones did not run.
    public static let migrationFailed = MigrationError(.migrationFailed)
    /// The database has migrations this binary does not know: it is newer than this binary.
    public static let unknownVersions = MigrationError(.unknownVersions)

    /// Compares the kind only, like `PostgresError`.
    public static func == (lhs: MigrationError, rhs: MigrationError) -> Bool {
        lhs.kind == rhs.kind
    }

    static func checksumMismatch(fileNames: [String]) -> MigrationError {
        var error = MigrationError(.checksumMismatch)
        error.fileName = fileNames.first
        error.versions = []
        error.editedFiles = fileNames
        return error
    }

    static func migrationFailed(fileName: String, serverMessage: String?) -> MigrationError {
        var error = MigrationError(.migrationFailed)
        error.fileName = fileName
        error.serverMessage = serverMessage
        return error
    }

    static func unknownVersions(_ versions: [Int]) -> MigrationError {
        var error = MigrationError(.unknownVersions)
        error.versions = versions
        return error
    }

    private var editedFiles: [String] = []

    public var description: String {
        switch kind {
        case .checksumMismatch:
            let files = editedFiles.isEmpty ? [fileName ?? "?"] : editedFiles
            return files.map {
                "migration \($0) was edited after it was applied (checksum differs); restore it or add a new migration"
            }.joined(separator: "\n")
        case .migrationFailed:
            return "migration \(fileName ?? "?") failed and was rolled back; later migrations were not applied: \(serverMessage ?? "unknown error")"
        case .unknownVersions:
            let list = versions.map(String.init).joined(separator: ", ")
            return "the database has migrations this ipm does not know (version \(list)): the database is newer than this binary; upgrade ipm"
        }
    }
}
