public import Foundation
public import IPMDomain

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `ipm login` keeps its session token, and nothing else (the TUI uses the same one):
/// `$XDG_CONFIG_HOME/ipm/session` (default `~/.config/ipm/session`) for the database,
/// `…/ipm/session@<scheme>_<host>_<port>` for each server; the file 0600 in a 0700
/// directory, written atomically.
public struct CredentialStore: Sendable {
    public let directory: String
    public var fileName = "session"
    public var file: String { directory + "/" + fileName }

    public init(directory: String, fileName: String = "session") {
        self.directory = directory
        self.fileName = fileName
    }

    public static func standard(
        for connection: AdminConnection = .database, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> CredentialStore {
        let directory: String
        // The XDG spec ignores a relative XDG_CONFIG_HOME.
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            directory = xdg.trimmingSlashes + "/ipm"
        } else {
            guard let home = environment["HOME"] ?? (NSHomeDirectory().isEmpty ? nil : NSHomeDirectory()), home.hasPrefix("/") else {
                throw ConsoleFailure.failed("cannot tell where to keep the session: set HOME or XDG_CONFIG_HOME")
            }
            directory = home.trimmingSlashes + "/.config/ipm"
        }
        guard case .server(let url) = connection else { return CredentialStore(directory: directory) }
        return CredentialStore(directory: directory, fileName: "session@" + serverKey(url))
    }

    /// `https_ipm.example.com_443`: one token per server origin, whatever path or case the URL was given with.
    public static func serverKey(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "http"
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let host = (url.host ?? "").lowercased().map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return "\(scheme)_\(String(host))_\(port)"
    }

    /// The stored token, or `nil` when there is none. A file others could read is refused, as
    /// ssh refuses a readable private key.
    public func load() throws -> Secret? {
        var info = stat()
        guard stat(file, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw ConsoleFailure.failed("cannot read \(file): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw ConsoleFailure.failed(
                "\(file) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))): remove it and run `ipm login` again")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConsoleFailure.failed("cannot read \(file)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : Secret(token)
    }

    /// Replaces the stored token: a new file created exclusively with mode 0600, then renamed.
    public func save(_ token: Secret) throws {
        try makeDirectory()
        let temporary = file + ".\(getpid()).tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ConsoleFailure.failed("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array((token.value + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, file) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ConsoleFailure.failed("cannot write \(file): \(reason)")
        }
    }

    public func remove() throws {
        guard unlink(file) == 0 || errno == ENOENT else {
            throw ConsoleFailure.failed("cannot remove \(file): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the directory (and its parents) private to the user; an existing one is made private.
    private func makeDirectory() throws {
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            if mkdir(path, path == directory ? 0o700 : 0o755) != 0 && errno != EEXIST {
                throw ConsoleFailure.failed("cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & 0o170000 == 0o040000 else {
            throw ConsoleFailure.failed("\(directory) is not a directory")
        }
        if info.st_mode & 0o777 != 0o700, chmod(directory, 0o700) != 0 {
            throw ConsoleFailure.failed("cannot make \(directory) private (mode 0700): \(String(cString: strerror(errno)))")
        }
    }
}

extension String {
    fileprivate var trimmingSlashes: String {
        var text = self
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
