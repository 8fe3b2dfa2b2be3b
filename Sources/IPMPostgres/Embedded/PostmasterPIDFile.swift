import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `postmaster.pid`, the running server's lock file.
///
/// After a crash it stays behind. PostgreSQL recovers from that by itself unless the
/// recorded process still *looks* alive: a killed postmaster whose parent never reaps it
/// (containers whose init does not reap) stays a zombie, and `kill(pid, 0)` succeeds on
/// zombies, so both `pg_ctl status` and the new postmaster would think it still runs.
struct PostmasterPIDFile {
    let pid: pid_t
    /// The System V segment id PostgreSQL uses to detect backends still attached.
    let sharedMemoryID: Int32?
    /// Line 3: when the postmaster started.
    let startedAt: Date?
    /// Line 8, the postmaster's own word (`starting`, `stopping`, `ready`, `standby`);
    /// `pg_ctl start -w` waits for `ready` the same way.
    let serverStatus: String?

    init?(contentsOf url: URL) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces)) else {
            return nil
        }
        self.pid = pid
        // Line 7: "<shmem key> <shmem id>".
        if lines.count > 6, let id = lines[6].split(separator: " ").last.flatMap({ Int32($0) }) {
            sharedMemoryID = id
        } else {
            sharedMemoryID = nil
        }
        startedAt = lines.count > 2 ? TimeInterval(lines[2].trimmingCharacters(in: .whitespaces)).map(Date.init(timeIntervalSince1970:)) : nil
        serverStatus = lines.count > 7 ? lines[7].trimmingCharacters(in: .whitespaces) : nil
    }

    /// A live postmaster that says it accepts connections: nothing to start or wait for.
    var isReady: Bool { serverStatus == "ready" && processState == .alive }

    enum ProcessState { case alive, gone }

    /// Whether the recorded postmaster is a live postgres process. Dead, zombie, and (on
    /// Linux) a recycled pid now used by another program all count as gone.
    var processState: ProcessState {
        guard pid > 0 else { return .gone }
        if kill(pid, 0) != 0 && errno == ESRCH { return .gone }
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return .gone }
        let command = stat[stat.index(after: open)..<close]
        let state = stat[stat.index(after: close)...].split(separator: " ").first ?? ""
        if state == "Z" || state == "X" { return .gone }
        if !command.contains("postgres") && !command.contains("postmaster") { return .gone }
        #endif
        return .alive
    }

    /// Waits until no process of the crashed server is attached to its shared memory, the
    /// check PostgreSQL itself makes before reusing a data directory whose lock file we remove.
    func waitForDetachedSharedMemory(timeout: Duration) -> Bool {
        #if os(Linux)
        guard let sharedMemoryID else { return true }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var info = shmid_ds()
            if shmctl(sharedMemoryID, IPC_STAT, &info) != 0 { return true }  // segment gone
            if info.shm_nattch == 0 { return true }
            usleep(100_000)
        }
        return false
        #else
        usleep(1_000_000)
        return true
        #endif
    }
}
