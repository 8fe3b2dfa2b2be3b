import CLibPQ
import Foundation
public import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection of its own that `LISTEN`s on a channel and reports what arrives, on a
/// thread of its own (libpq blocks; Swift concurrency's threads never wait on it).
///
/// It waits in `poll` on the connection's socket (`PQsocket`), reads with `PQconsumeInput` and
/// takes notifications with `PQnotifies`. When the connection drops it reports `.interrupted`
/// and connects again after a delay that doubles up to a limit; it reports `.listening` only
/// once `LISTEN` has succeeded. A connection silent for `probeInterval` is asked `SELECT 1`:
/// no answer within `probeTimeout` counts as a drop, so a server that vanished without closing
/// the socket is noticed too. It is not part of the pool and does not count against it.
public final class PostgresListener: Sendable {
    /// What the listener reports, in order.
    public enum Event: Sendable, Hashable {
        /// `LISTEN` succeeded on a new connection: notifications from now on will be reported.
        case listening
        /// The connection dropped (or could not be used): notifications may be missed until `.listening`.
        case interrupted
        /// A notification on the channel, with its payload.
        case notification(payload: String)
    }

    private let configuration: PostgresConfiguration
    private let channel: String
    private let logger: Logger
    private let firstDelay: Duration
    private let longestDelay: Duration
    private let probeInterval: Duration
    private let probeTimeout: Duration

    /// - Parameters:
    ///   - client: the pool whose database (and settings) the listener uses; it opens a connection of its own.
    ///   - channel: a lower-case SQL identifier (letters, digits, `_`).
    ///   - reconnect: the first delay before connecting again, and the longest.
    public init(
        client: PostgresClient, channel: String, reconnect: (first: Duration, longest: Duration) = (.seconds(1), .seconds(8)),
        probe: (interval: Duration, timeout: Duration) = (.seconds(15), .seconds(5)), logger: Logger
    ) {
        precondition(
            !channel.isEmpty && channel.utf8.count < 64
                && channel.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" },
            "a channel is a plain lower-case identifier")
        var configuration = client.configuration
        configuration.applicationName = "ipm listener"
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
        self.firstDelay = reconnect.first
        self.longestDelay = max(reconnect.first, reconnect.longest)
        self.probeInterval = probe.interval
        self.probeTimeout = probe.timeout
    }

    /// Listens and reports to `deliver` (on the listener's thread, in order) until the task is
    /// cancelled; then closes the connection and returns.
    public func run(_ deliver: @escaping @Sendable (Event) -> Void) async {
        guard let wake = WakePipe() else {
            logger.error("cannot create the listener's wake-up pipe; not listening", metadata: ["postgres.channel": "\(channel)"])
            return
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    loop(wake: wake, deliver)
                    continuation.resume()
                }
                thread.name = "ipm.postgres.listener"
                thread.start()
            }
        } onCancel: {
            wake.signal()
        }
        wake.close()
    }

    // MARK: The listener's thread

    private func loop(wake: WakePipe, _ deliver: (Event) -> Void) {
        let metadata: Logger.Metadata = ["postgres.channel": "\(channel)"]
        var delay = firstDelay
        var failures = 0
        while !wake.isSignalled {
            if let connection = connect(metadata) {
                deliver(.listening)
                if failures > 0 { logger.notice("listening for changes again", metadata: metadata) }
                failures = 0
                delay = firstDelay
                let lost = listen(on: connection, wake: wake, deliver)
                PQfinish(connection)
                guard let lost else { return }
                deliver(.interrupted)
                logger.warning(
                    "the listening database connection dropped; connecting again", metadata: metadata.merging(["postgres.error": "\(lost)"]) { $1 })
            }
            failures += 1
            // Jitter, so that instances cut off together do not all come back at the same instant.
            let jittered = delay * Double.random(in: 0.75...1)
            if wake.wait(milliseconds: Self.milliseconds(jittered)) { return }
            delay = min(delay * 2, longestDelay)
        }
    }

    /// A connection that listens, or `nil` (logged).
    private func connect(_ metadata: Logger.Metadata) -> OpaquePointer? {
        let connection: OpaquePointer
        do {
            let parameters = try configuration.connectParameters()
            guard let raw = Self.connect(parameters) else { return nil }
            connection = raw
        } catch {
            logger.error("cannot listen: the database settings are unusable", metadata: metadata.merging(["postgres.error": "\(error)"]) { $1 })
            return nil
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            logger.warning(
                "cannot connect to listen for changes", metadata: metadata.merging(["postgres.error": "\(Self.message(connection))"]) { $1 })
            PQfinish(connection)
            return nil
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        let result = PQexec(connection, "LISTEN \(channel)")
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            logger.warning("LISTEN failed", metadata: metadata.merging(["postgres.error": "\(Self.message(connection))"]) { $1 })
            PQfinish(connection)
            return nil
        }
        logger.debug("listening", metadata: metadata.merging(["postgres.backend_pid": "\(PQbackendPID(connection))"]) { $1 })
        return connection
    }

    /// Reports notifications until the connection drops (the reason) or the wake pipe is
    /// signalled (`nil`).
    private func listen(on connection: OpaquePointer, wake: WakePipe, _ deliver: (Event) -> Void) -> String? {
        let socket = PQsocket(connection)
        guard socket >= 0 else { return "no socket" }
        var probeDeadline: ContinuousClock.Instant?
        while true {
            let timeout = probeDeadline.map { max(0, Self.milliseconds($0 - ContinuousClock.now)) } ?? Self.milliseconds(probeInterval)
            switch wake.poll(socket, milliseconds: timeout) {
            case .woken:
                return nil
            case .failed(let error):
                return "poll failed: errno \(error)"
            case .readable:
                guard PQconsumeInput(connection) == 1, PQstatus(connection) == CONNECTION_OK else { return Self.message(connection) }
                while let notification = PQnotifies(connection) {
                    let payload = String(cString: notification.pointee.extra)
                    PQfreemem(notification)
                    deliver(.notification(payload: payload))
                }
                // The probe's answer: read it whole, then wait quietly again.
                if probeDeadline != nil {
                    while PQisBusy(connection) == 0 {
                        guard let result = PQgetResult(connection) else {
                            probeDeadline = nil
                            break
                        }
                        let status = PQresultStatus(result)
                        PQclear(result)
                        if status != PGRES_TUPLES_OK { return Self.message(connection) }
                    }
                }
            case .timedOut:
                if probeDeadline != nil { return "no answer to SELECT 1 within \(probeTimeout)" }
                guard PQsendQuery(connection, "SELECT 1") == 1 else { return Self.message(connection) }
                probeDeadline = ContinuousClock.now + probeTimeout
            }
        }
    }

    private static func connect(_ parameters: [(String, String)]) -> OpaquePointer? {
        // strdup'ed for the call: libpq copies what it keeps.
        let keywords = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer { for pointer in keywords + values { free(pointer) } }
        return keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keys in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { vals in
                PQconnectdbParams(keys.baseAddress, vals.baseAddress, 1)
            }
        }
    }

    private static func message(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// A pipe whose read end wakes the listener's `poll` when the task is cancelled.
private final class WakePipe: Sendable {
    enum Wait {
        case readable, woken, timedOut
        case failed(Int32)
    }

    private let readEnd: Int32
    private let writeEnd: Int32
    private let closed = Mutex(false)

    init?() {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { return nil }
        readEnd = descriptors[0]
        writeEnd = descriptors[1]
    }

    func signal() {
        closed.withLock { closed in
            guard !closed else { return }
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }
    }

    var isSignalled: Bool {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&descriptor, 1, 0) > 0
    }

    /// Sleeps up to `milliseconds`; whether it was woken instead.
    func wait(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = Glibc.poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// Waits for `socket` to be readable, for the pipe, or for the timeout.
    func poll(_ socket: Int32, milliseconds: Int32) -> Wait {
        var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0), pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        var ready = Glibc.poll(&descriptors, 2, milliseconds)
        while ready < 0 && errno == EINTR { ready = Glibc.poll(&descriptors, 2, milliseconds) }
        if ready < 0 { return .failed(errno) }
        if descriptors[1].revents != 0 { return .woken }
        if descriptors[0].revents != 0 { return .readable }
        return .timedOut
    }

    func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            _ = Glibc.close(readEnd)
            _ = Glibc.close(writeEnd)
        }
    }
}
