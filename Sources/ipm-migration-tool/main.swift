import Foundation
import IPMMigrationKit

// The executable behind the EmbedMigrations and NewMigration plugins; all logic is in
// IPMMigrationKit, which has tests.
//   ipm-migration-tool embed MIGRATIONS_DIR OUTPUT_FILE
//   ipm-migration-tool new MIGRATIONS_DIR NAME…

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("ipm-migration-tool: " + message + "\n").utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "embed" where arguments.count == 3:
    let directory = MigrationDirectory(url: URL(fileURLWithPath: arguments[1]))
    do {
        let source = EmbeddedSource.swift(for: try directory.load())
        let output = URL(fileURLWithPath: arguments[2])
        // Leave the file untouched when nothing changed, so the compiler has no work to redo.
        if FileManager.default.contents(atPath: output.path) != Data(source.utf8) {
            try Data(source.utf8).write(to: output, options: .atomic)
        }
    } catch let error as MigrationDirectoryError {
        fail(error.description)
    } catch {
        fail("cannot write \(arguments[2]): \(error.localizedDescription)")
    }
case "new" where arguments.count >= 3:
    let directoryURL = URL(fileURLWithPath: arguments[1])
    let directory = MigrationDirectory(url: directoryURL)
    do {
        let fileName = try directory.nextFileName(for: arguments.dropFirst(2).joined(separator: " "))
        try FileManager.default.createDirectory(at: directoryURL, withIntermediateDirectories: true)
        let url = directoryURL.appendingPathComponent(fileName.description)
        let template =
            "-- \(fileName.description): describe the change here.\n-- Applied once, in its own transaction, by `ipm migrate`. Never edit it once applied.\n\n"
        guard FileManager.default.createFile(atPath: url.path, contents: Data(template.utf8)) else {
            fail("cannot create \(url.path)")
        }
        print("Created migrations/\(fileName.description)")
    } catch let error as MigrationDirectoryError {
        fail(error.description)
    } catch {
        fail(error.localizedDescription)
    }
default:
    fail("usage: ipm-migration-tool embed MIGRATIONS_DIR OUTPUT_FILE | new MIGRATIONS_DIR NAME")
}
