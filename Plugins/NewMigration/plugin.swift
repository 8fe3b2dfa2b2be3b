import Foundation
import PackagePlugin

/// `swift package new-migration NAME` writes the next numbered file in `migrations/`.
@main
struct NewMigration: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        guard !arguments.isEmpty else {
            Diagnostics.error("usage: swift package new-migration NAME")
            return
        }
        let process = Process()
        process.executableURL = try context.tool(named: "ipm-migration-tool").url
        process.arguments = ["new", context.package.directoryURL.appending(path: "migrations").path] + arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("new-migration failed")
        }
    }
}
