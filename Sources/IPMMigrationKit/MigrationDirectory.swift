public import Foundation

/// Reads the `migrations/` folder: every `*.sql` file must follow the naming convention and
/// versions must be unique, so a typo is caught at build time rather than in production.
public struct MigrationDirectory: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    public func load() throws(MigrationDirectoryError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw .unreadable(url.path)
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            guard let parsed = MigrationFileName(fileName: fileName) else {
                throw .badFileName(fileName)
            }
            guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(fileName).path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw .unreadable(fileName)
            }
            migrations.append(Migration(version: parsed.version, name: parsed.name, sql: sql))
        }
        return try Self.validated(migrations)
    }

    /// Sorts by version and rejects two files with one version.
    public static func validated(_ migrations: [Migration]) throws(MigrationDirectoryError) -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw .duplicateVersion(previous.fileName, next.fileName)
        }
        return sorted
    }

    /// The file name `swift package new-migration NAME` should create next.
    public func nextFileName(for rawName: String) throws(MigrationDirectoryError) -> MigrationFileName {
        guard let name = MigrationFileName.normalizedName(rawName) else { throw .badName(rawName) }
        let existing = (try? load()) ?? []
        if existing.contains(where: { $0.name == name }) { throw .nameTaken(name) }
        return MigrationFileName(version: (existing.last?.version ?? 0) + 1, name: name)
    }
}

public enum MigrationDirectoryError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case badFileName(String)
    case duplicateVersion(String, String)
    case badName(String)
    case nameTaken(String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            return "cannot read migration \(path)"
        case .badFileName(let name):
            return "migration file \(name) does not follow NNNN_name.sql (four or more digits, lower-case name)"
        case .duplicateVersion(let first, let second):
            return "migrations \(first) and \(second) have the same version number"
        case .badName(let name):
            return "'\(name)' is not a usable migration name: use letters, digits and spaces or underscores, starting with a letter"
        case .nameTaken(let name):
            return "a migration named \(name) already exists"
        }
    }
}
