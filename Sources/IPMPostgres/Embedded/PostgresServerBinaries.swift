import Foundation

/// Where initdb, pg_ctl and postgres live.
///
/// Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin, off PATH, so
/// those come first (newest major), then `pg_config --bindir`, then PATH.
struct PostgresServerBinaries: Sendable {
    static let required = ["initdb", "pg_ctl", "postgres"]

    let directory: URL

    var initdb: URL { directory.appending(path: "initdb") }
    var pgCtl: URL { directory.appending(path: "pg_ctl") }
    var postgres: URL { directory.appending(path: "postgres") }

    /// The first directory that holds every required binary.
    /// - Parameter searchDirectories: overrides the default search (tests point it at an empty directory).
    static func locate(in searchDirectories: [URL]? = nil) throws(EmbeddedPostgresError) -> Self {
        // Debian's directories first: finding the binaries there spares running pg_config.
        if searchDirectories == nil, let found = debianVersionedDirectories().first(where: holdsEveryBinary) {
            return .init(directory: found)
        }
        let candidates = searchDirectories ?? defaultSearchDirectories()
        if let found = candidates.first(where: holdsEveryBinary) {
            return .init(directory: found)
        }
        let missing = required.filter { name in
            !candidates.contains { isExecutable($0.appending(path: name)) }
        }
        throw .binariesNotFound(missing: missing.isEmpty ? required : missing, searched: candidates.map(\.path))
    }

    private static func holdsEveryBinary(_ directory: URL) -> Bool {
        required.allSatisfy { isExecutable(directory.appending(path: $0)) }
    }

    static func defaultSearchDirectories() -> [URL] {
        var directories = debianVersionedDirectories()
        if let bindir = pgConfigBindir() {
            directories.append(bindir)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        directories += path.split(separator: ":").map { URL(filePath: String($0), directoryHint: .isDirectory) }
        return directories
    }

    /// /usr/lib/postgresql/<major>/bin, newest major first.
    private static func debianVersionedDirectories() -> [URL] {
        let root = URL(filePath: "/usr/lib/postgresql", directoryHint: .isDirectory)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return
            entries
            .compactMap { name in Double(name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
            .map { root.appending(path: $0.0).appending(path: "bin", directoryHint: .isDirectory) }
    }

    private static func pgConfigBindir() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let pgConfig = path.split(separator: ":")
            .map { URL(filePath: String($0)).appending(path: "pg_config") }
            .first(where: isExecutable)
        guard let pgConfig, let result = try? ChildProcess.run(pgConfig, ["--bindir"]), result.succeeded else {
            return nil
        }
        let bindir = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return bindir.isEmpty ? nil : URL(filePath: bindir, directoryHint: .isDirectory)
    }

    static func isExecutable(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }
}
