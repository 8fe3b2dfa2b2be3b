import CLibPQ
import Foundation
import Glibc
import Synchronization

/// A thread that waits on the sockets of connections running a statement without blocking
/// (decision 70), and a task executor (decision 81).
///
/// A task sends its statement, parks here until the socket is readable (or writable, while a
/// long statement is still being sent), and reads the answer itself. Each loop has one
/// `epoll` instance; each wait is armed once (`EPOLLONESHOT`), so an idle socket costs nothing
/// and a wake-up has exactly one owner.
///
/// A task that prefers a loop (`withTaskExecutorPreference(client.executors[i])`) runs on its
/// thread: it waits in that loop's `epoll` and is resumed there when its socket is ready, in
/// the same pass, instead of being handed to a cooperative thread — that hand-over was most
/// of a round trip's cost. Jobs enqueued from the loop's own thread go to a local queue
/// without a lock or a system call; jobs from other threads take a lock and, when the thread
/// sleeps in `epoll_wait`, one `eventfd` write. Nothing that runs here may block: libpq is
/// only called in non-blocking mode here, and blocking work has the connection's queue.
final class PostgresEventLoop: TaskExecutor, @unchecked Sendable {
    /// One loop per processor, at most 4, started when first needed. One thread alone would
    /// serialise every round trip of the process: `pgbench -j 1` against `-j 2` shows what that
    /// costs on two cores.
    static let all: [PostgresEventLoop] = (0..<min(4, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))).map {
        PostgresEventLoop(name: "ipm.pg.loop.\($0)")
    }

    /// The loop whose thread runs the caller, if any.
    static var current: PostgresEventLoop? {
        let me = pthread_self()
        for loop in all where pthread_equal(me, loop.thread.load(ordering: .relaxed)) != 0 { return loop }
        return nil
    }

    /// Waits for `socket` on the caller's loop (where a task preferring it is resumed without
    /// a hand-over), else on the loop the socket's number picks.
    static func wait(for socket: Int32, writable: Bool = false) async {
        await (current ?? all[Int(max(0, socket)) % all.count]).wait(for: socket, writable: writable)
    }

    private let epoll: Int32
    /// Written to wake the thread from `epoll_wait` when another thread enqueues a job.
    private let wakeup: Int32
    private let remote = Mutex(Remote())
    /// The loop's thread once it runs (`pthread_t` is an integer on Linux).
    private let thread = Atomic<UInt>(0)
    /// Jobs enqueued from the loop's own thread; only that thread touches it.
    private var local: [UnownedJob] = []

    private struct Remote {
        var jobs: [UnownedJob] = []
        /// The loop is (about to be) blocked in `epoll_wait`: the next enqueue must wake it.
        var sleeping = false
        var waiting: [Int32: UnsafeContinuation<Void, Never>] = [:]
    }

    private init(name: String) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        wakeup = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(wakeup >= 0, "eventfd failed: errno \(errno)")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeup
        precondition(epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event) == 0, "epoll_ctl failed: errno \(errno)")
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    // MARK: TaskExecutor

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if pthread_equal(pthread_self(), thread.load(ordering: .relaxed)) != 0 {
            local.append(job)
            return
        }
        let wake = remote.withLock { remote in
            remote.jobs.append(job)
            defer { remote.sleeping = false }
            return remote.sleeping
        }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeup, &one, MemoryLayout<UInt64>.size)
        }
    }

    // MARK: Waiting for sockets

    /// Suspends until `socket` is readable (or writable), has hung up, or failed. Returns at
    /// once when the socket cannot be watched: the caller's next libpq call then reports why.
    func wait(for socket: Int32, writable: Bool = false) async {
        guard socket >= 0 else { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            remote.withLock { $0.waiting[socket] = continuation }
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
                remote.withLock { $0.waiting.removeValue(forKey: socket) }?.resume()
            }
        }
    }

    // MARK: The loop

    private func run() {
        thread.store(pthread_self(), ordering: .relaxed)
        let executor = asUnownedTaskExecutor()
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        var taken: [UnownedJob] = []
        var ready: [UnsafeContinuation<Void, Never>] = []
        while true {
            // Everything queued runs; a job may queue more (a task resumed here, the next
            // statement after the last), which runs in this same pass.
            var index = 0
            while index < local.count {
                let job = local[index]
                index += 1
                job.runSynchronously(on: executor)
            }
            local.removeAll(keepingCapacity: true)
            let blocks = remote.withLock { remote in
                swap(&taken, &remote.jobs)
                remote.sleeping = taken.isEmpty
                return taken.isEmpty
            }
            if !blocks {
                local.append(contentsOf: taken)
                taken.removeAll(keepingCapacity: true)
            }
            let count = epoll_wait(epoll, events, Int32(capacity), blocks ? -1 : 0)
            guard count > 0 else {
                if blocks { remote.withLock { $0.sleeping = false } }
                continue  // nothing ready, or EINTR
            }
            var woken = false
            remote.withLock { remote in
                remote.sleeping = false
                for slot in 0..<Int(count) {
                    let socket = events[slot].data.fd
                    if socket == wakeup {
                        woken = true
                    } else if let continuation = remote.waiting.removeValue(forKey: socket) {
                        ready.append(continuation)
                    }
                }
            }
            if woken {
                var value: UInt64 = 0
                _ = read(wakeup, &value, MemoryLayout<UInt64>.size)
            }
            // A task that prefers this loop is enqueued on `local` and runs in the next pass.
            for continuation in ready { continuation.resume() }
            ready.removeAll(keepingCapacity: true)
        }
    }
}
