import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, held while one process checks, initialises and starts
/// the cluster, so two processes sharing a state directory do not race initdb or pg_ctl.
final class StartLock {
    private let descriptor: Int32

    init(_ url: URL) throws(EmbeddedPostgresError) {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .fileSystem("open \(url.path)", POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let code = errno
                close(descriptor)
                throw .fileSystem("lock \(url.path)", POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO))
            }
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
