import Foundation

#if os(Linux)
import Glibc

extension ChildProcess {
    /// Runs a command that leaves a daemon behind (`pg_ctl start`), with every descriptor
    /// above stderr closed in the child.
    ///
    /// Foundation's `Process` on Linux learns that a child ended when a socket it hands to
    /// the child is closed; the postmaster would inherit that socket and keep it open, so
    /// `waitUntilExit()` would wait for the server to stop. Hence `posix_spawn` here.
    static func runLeavingDaemon(_ executable: URL, _ arguments: [String], currentDirectory: URL) throws -> Result {
        let outputURL = FileManager.default.temporaryDirectory.appending(path: "ipm-child-\(UUID().uuidString).out")
        let output = open(outputURL.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer {
            close(output)
            unlink(outputURL.path)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        try closeDescriptors(from: 3, in: &actions)
        if let addChdir = SpawnExtensions.addChdir {
            _ = currentDirectory.path.withCString { addChdir(&actions, $0) }
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        let command = ([executable.path] + arguments).joined(separator: " ")
        return Result(command: command, status: exitStatus, output: text)
    }

    /// Starts a program that outlives us (the idle watcher) and returns at once: a session
    /// of its own (no terminal's hang-up reaches it), stdin from /dev/null, stdout and stderr
    /// appended to `output`, nothing else inherited. A thread reaps it should it end first.
    @discardableResult
    static func spawnDetached(_ executable: URL, _ arguments: [String], output: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        try closeDescriptors(from: 3, in: &actions)
        changeDirectory(to: "/", in: &actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // POSIX_SPAWN_SETSID (glibc 2.26+), which the Glibc module does not import.
        let setsid: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK) | Int16(setsid))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        let child = pid
        Thread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        }.start()
        return child
    }

    private static func changeDirectory(to directory: String, in actions: inout posix_spawn_file_actions_t) {
        guard let addChdir = SpawnExtensions.addChdir else { return }
        _ = directory.withCString { addChdir(&actions, $0) }
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+) when present, otherwise one
    /// close action per descriptor open right now.
    private static func closeDescriptors(from lowest: Int32, in actions: inout posix_spawn_file_actions_t) throws {
        if let addCloseFrom = SpawnExtensions.addCloseFrom {
            _ = addCloseFrom(&actions, lowest)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor >= lowest {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
}

/// glibc's GNU extensions to posix_spawn, which the Glibc module does not import.
private enum SpawnExtensions {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }
}
#else
extension ChildProcess {
    /// Darwin's `Process` watches the child itself, so an inherited descriptor does no harm.
    static func runLeavingDaemon(_ executable: URL, _ arguments: [String], currentDirectory: URL) throws -> Result {
        try run(executable, arguments, currentDirectory: currentDirectory)
    }

    /// Starts the idle watcher in the background (without a session of its own here).
    @discardableResult
    static func spawnDetached(_ executable: URL, _ arguments: [String], output: URL) throws -> pid_t {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        if !FileManager.default.fileExists(atPath: output.path) { FileManager.default.createFile(atPath: output.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: output)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process.processIdentifier
    }
}
#endif
