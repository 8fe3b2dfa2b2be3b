import ArgumentParser
import Foundation

/// `ipm database`: the embedded PostgreSQL that IPM programs share on this machine.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "database",
        abstract: "Show or stop the embedded PostgreSQL (used when IPM_DATABASE_URL and PG* are unset).",
        discussion: """
            The first IPM program that needs the embedded PostgreSQL starts it; it keeps running \
            between commands and stops by itself once no IPM program and no client has used it for \
            IPM_EMBEDDED_IDLE_STOP (default 10m; 0 stops it when the last program using it ends).
            """,
        subcommands: [Status.self, Stop.self]
    )

    struct Status: FactoryCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Whether the embedded PostgreSQL runs, who uses it, and when it stops.")

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run(with factory: OperatorContextFactory) async throws {
            let status = try await factory.embeddedDatabase().status()
            if json {
                print(try JSONOutput.render(status))
                return
            }
            if let setting = status.configuredDatabase {
                print("IPM uses the database from \(setting), not the embedded PostgreSQL.")
                return
            }
            guard status.running, let pid = status.pid else {
                print("The embedded PostgreSQL is stopped (data: \(status.dataDirectory)).")
                return
            }
            print("The embedded PostgreSQL runs (pid \(pid)\(status.startedAt.map { ", since \($0.iso8601)" } ?? "")).")
            print("data: \(status.dataDirectory)")
            print("in use by IPM programs: \(status.inUse ? "yes" : "no"); client connections: \(status.connections.map(String.init) ?? "unknown")")
            if let watcher = status.watcherPID {
                print("stops by itself after \(Self.duration(status.idleStopSeconds)) unused (idle watcher pid \(watcher)).")
            } else {
                print("no idle watcher runs: the next IPM program that uses it starts one, or stop it with `ipm database stop`.")
            }
        }

        static func duration(_ seconds: Int) -> String {
            if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
    }

    struct Stop: FactoryCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop",
            abstract: "Stop the embedded PostgreSQL now (refused while an IPM program uses it, unless --force)."
        )

        @Flag(help: "Stop it even while IPM programs use it; they lose their connections.")
        var force = false

        func run(with factory: OperatorContextFactory) async throws {
            switch try await factory.embeddedDatabase().stop(force: force) {
            case .stopped: print("Stopped the embedded PostgreSQL.")
            case .notRunning: print("The embedded PostgreSQL is not running.")
            case .inUse:
                throw CLIError(
                    "the embedded PostgreSQL is in use by a running IPM program (ipm-server, ipm-tui, …): stop that first, or use --force to disconnect it"
                )
            }
        }
    }
}
