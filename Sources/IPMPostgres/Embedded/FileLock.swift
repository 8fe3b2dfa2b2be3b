import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `flock` on a file under the cluster's directory. The kernel drops it when the process
/// ends however it ends, so a killed program never leaves a lock behind.
///
/// - `start.lock`, exclusive: one process at a time checks, initialises and starts the cluster.
/// - `in-use.lock`, shared: held by every IPM program using the cluster for as long as it
///   does; whoever stops it takes it exclusively first, so no program is left mid-start.
/// - `watcher.lock`, exclusive: held by the idle watcher for its lifetime (and names its pid).
final class FileLock: Sendable {
    enum Mode { case shared, exclusive }

    private let descriptor: Mutex<Int32>

    /// Waits for the lock.
    convenience init(_ url: URL, _ mode: Mode) throws(EmbeddedPostgresError) {
        guard let lock = try Self.acquire(url, mode, wait: true) else {
            throw .fileSystem("lock \(url.path)", POSIXError(.EAGAIN))
        }
        self.init(descriptor: lock)
    }

    /// Takes the lock if nobody holds a conflicting one, else `nil` at once.
    static func attempt(_ url: URL, _ mode: Mode) throws(EmbeddedPostgresError) -> FileLock? {
        try acquire(url, mode, wait: false).map(FileLock.init(descriptor:))
    }

    private init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    private static func acquire(_ url: URL, _ mode: Mode, wait: Bool) throws(EmbeddedPostgresError) -> Int32? {
        // O_CLOEXEC: no child (pg_ctl, runuser) inherits it, or it would hold the lock for us.
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .fileSystem("open \(url.path)", POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        }
        let operation = (mode == .shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)
        while flock(descriptor, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw .fileSystem("lock \(url.path)", POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO))
        }
        return descriptor
    }

    /// Replaces the file's contents (the watcher writes its pid).
    func write(_ text: String) {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            _ = ftruncate(descriptor, 0)
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    /// Gives the lock up now (idempotent); otherwise it goes with the object.
    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { release() }
}
