import ArgumentParser
import IPMDomain

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations this build carries, or list them.",
        subcommands: [Apply.self, Status.self],
        defaultSubcommand: Apply.self
    )

    struct Apply: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply the pending migrations, each in its own transaction (the default).",
            discussion: "Safe to run from several places at once: a PostgreSQL advisory lock makes the others wait."
        )
        static var isMigrationCommand: Bool { true }

        func run(in context: any OperatorContext) async throws {
            let applied = try await context.migrate()
            if applied.isEmpty {
                print("The database is up to date; nothing to apply.")
            } else {
                for line in applied { print("Applied \(line.fileName)") }
            }
        }
    }

    struct Status: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "List applied and pending migrations."
        )
        static var isMigrationCommand: Bool { true }

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run(in context: any OperatorContext) async throws {
            let lines = try await context.migrationStatus()
            if json {
                print(try JSONOutput.render(lines.map { ["file": $0.fileName, "state": $0.state.rawValue, "appliedAt": $0.appliedAt ?? ""] }))
                return
            }
            var table = Table("MIGRATION", "STATE", "APPLIED AT")
            for line in lines { table.append(line.fileName, line.state.rawValue, line.appliedAt ?? "") }
            print(table.render())
        }
    }
}
