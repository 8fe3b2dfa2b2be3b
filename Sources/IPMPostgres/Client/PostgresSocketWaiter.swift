import CLibPQ
import Foundation
import Glibc
import Synchronization

/// One thread that waits on the sockets of connections running a statement without
/// blocking (decision 70): a task sends its statement, parks here until the socket is
/// readable (or writable, while a long statement is still being sent), and reads the answer
/// itself. One `epoll` instance for every connection of the process; each wait is armed once
/// (`EPOLLONESHOT`), so an idle socket costs nothing and a wake-up has exactly one owner.
final class PostgresSocketWaiter: Sendable {
    static let shared = PostgresSocketWaiter()

    private let epoll: Int32
    private let waiting = Mutex<[Int32: CheckedContinuation<Void, Never>]>([:])

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        let thread = Thread { [self] in self.run() }
        thread.name = "ipm.postgres.sockets"
        thread.start()
    }

    /// Suspends until `socket` is readable (or writable), has hung up, or failed. Returns at
    /// once when the socket cannot be watched: the caller's next libpq call then reports why.
    func wait(for socket: Int32, writable: Bool = false) async {
        guard socket >= 0 else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiting.withLock { $0[socket] = continuation }
            var event = epoll_event()
            event.events = (writable ? EPOLLOUT.rawValue : EPOLLIN.rawValue) | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
            event.data.fd = socket
            // MOD re-arms a socket watched before; a new socket (or a reused number whose old
            // file was closed, which drops it from the set) needs ADD.
            var armed = epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) == 0
            if !armed && errno == ENOENT {
                armed = epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0
            }
            if !armed {
                waiting.withLock { $0.removeValue(forKey: socket) }?.resume()
            }
        }
    }

    private func run() {
        let capacity = 64
        var events = [epoll_event](repeating: epoll_event(), count: capacity)
        while true {
            let count = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epoll, buffer.baseAddress, Int32(capacity), -1)
            }
            guard count > 0 else { continue }  // EINTR
            let ready = waiting.withLock { waiting in
                (0..<Int(count)).compactMap { waiting.removeValue(forKey: events[$0].data.fd) }
            }
            for continuation in ready { continuation.resume() }
        }
    }
}
