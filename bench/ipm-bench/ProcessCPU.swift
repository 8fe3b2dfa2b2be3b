import Foundation
import Glibc

/// CPU time, in microseconds of user + system time, of the processes a measurement involves —
/// this one (`getrusage`), another by pid, or a PostgreSQL cluster as a whole — and of the
/// machine, read from `/proc` (Linux). A reading is a snapshot; a phase's figure is the
/// difference of two.
struct ProcessCPU: Sendable {
    /// The processes besides this one to account for: a name ("sandbox", "PostgreSQL") and a pid;
    /// `tree` counts the process's children too (a postmaster's backends: the running ones, and
    /// through its `cutime`/`cstime` those it reaped).
    struct Watched: Sendable {
        let name: String
        let pid: Int32
        let tree: Bool
    }

    struct Reading: Sendable {
        /// This process's CPU microseconds and context switches (every thread).
        let own: Double
        let switches: Double
        /// One entry per watched process, in order; nil when its `/proc` entry could not be read.
        let watched: [Double?]
        /// The machine's busy and total time (every CPU) in clock ticks, from `/proc/stat`.
        let machineBusy: Double
        let machineTotal: Double
    }

    let watched: [Watched]

    init(watched: [Watched] = []) {
        self.watched = watched
    }

    func read() -> Reading {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let own = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        let machine = Self.machineTicks()
        return Reading(
            own: own, switches: Double(usage.ru_nvcsw + usage.ru_nivcsw),
            watched: watched.map { Self.microseconds(of: $0) },
            machineBusy: machine.busy, machineTotal: machine.total
        )
    }

    /// CPU per unit of work between two readings, and how busy the machine was meanwhile.
    struct Costs: Sendable {
        let own: Double
        /// By watched process, in order; nil when unreadable.
        let watched: [(name: String, micros: Double?)]
        /// Busy time of every CPU of the machine per unit.
        let machine: Double
        let busyPercent: Double

        func micros(of name: String) -> Double? { watched.first { $0.name == name }?.micros ?? nil }

        /// "ipm-bench 310 µs, sandbox 240 µs, PostgreSQL 290 µs (machine 1650 µs, 97 % busy)".
        func description(ownName: String) -> String {
            let parts = ["\(ownName) \(ProcessCPU.micros(own))"] + watched.map { "\($0.name) \($0.micros.map(ProcessCPU.micros) ?? "unreadable")" }
            return parts.joined(separator: ", ") + " (machine \(ProcessCPU.micros(machine)), \(String(format: "%.0f", busyPercent)) % busy)"
        }
    }

    func costs(from before: Reading, to after: Reading, units: Int) -> Costs {
        let count = Double(max(units, 1))
        let watched = self.watched.enumerated().map { index, process -> (name: String, micros: Double?) in
            guard let start = before.watched[index], let end = after.watched[index] else { return (process.name, nil) }
            return (process.name, (end - start) / count)
        }
        let total = after.machineTotal - before.machineTotal
        let busy = after.machineBusy - before.machineBusy
        return Costs(
            own: (after.own - before.own) / count, watched: watched,
            machine: busy / Self.ticksPerSecond * 1e6 / count,
            busyPercent: total > 0 ? busy / total * 100 : 0
        )
    }

    static func micros(_ value: Double) -> String { String(format: "%.0f µs", value) }

    /// Clock ticks per second, the unit of `/proc`'s CPU times.
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime (+ cutime + cstime, + the running children's, for a tree) in microseconds.
    private static func microseconds(of process: Watched) -> Double? {
        guard let fields = statFields(pid: process.pid), var ticks = ticks(fields, reaped: process.tree) else { return nil }
        if process.tree {
            for child in childrenStatFields(of: process.pid) { ticks += Self.ticks(child, reaped: true) ?? 0 }
        }
        return ticks / ticksPerSecond * 1e6
    }

    /// Fields after the command name of `/proc/PID/stat` (the name may hold spaces and
    /// parentheses, so it is cut at the last ")").
    private static func statFields(pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    private static func ticks(_ fields: [Substring], reaped: Bool) -> Double? {
        // After ")": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
        guard fields.count > 14, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        guard reaped, let childUser = Double(fields[13]), let childSystem = Double(fields[14]) else { return user + system }
        return user + system + childUser + childSystem
    }

    /// The stat fields of every running child of `parent`, each file read once.
    private static func childrenStatFields(of parent: Int32) -> [[Substring]] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> [Substring]? in
            guard let pid = Int32(entry), let fields = statFields(pid: pid), fields.count > 1, Int32(fields[1]) == parent else { return nil }
            return fields
        }
    }

    /// The first line of `/proc/stat`: user nice system idle iowait irq softirq steal …
    private static func machineTicks() -> (busy: Double, total: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return (0, 0) }
        let values = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard values.count >= 5 else { return (0, 0) }
        let total = values.reduce(0, +)
        return (total - values[3] - values[4], total)
    }
}
