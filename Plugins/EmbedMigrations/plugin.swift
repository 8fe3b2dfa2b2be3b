import Foundation
import PackagePlugin

/// Compiles `migrations/*.sql` into the target as `EmbeddedMigrations.all`.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "migrations")
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding migrations into \(target.name)",
                executable: try context.tool(named: "ipm-migration-tool").url,
                arguments: ["embed", directory.path, output.path],
                inputFiles: files.filter { $0.pathExtension == "sql" } + [directory],
                outputFiles: [output]
            )
        ]
    }
}
