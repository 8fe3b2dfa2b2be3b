import ArgumentParser
import IPMDomain

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the key ring that seals tokens at rest (IPM_ENCRYPTION_KEYS).",
        discussion: """
            To rotate: `ipm keys generate` prints a new entry; put it FIRST in IPM_ENCRYPTION_KEYS on \
            every server and keep the old entries after it (servers seal with the first key and open \
            with any); restart the servers one by one; run `ipm keys rotate`; once it reports nothing \
            left under an old key, remove that key.
            """,
        subcommands: [Generate.self, Rotate.self]
    )

    struct Generate: FactoryCommand {
        static let configuration = CommandConfiguration(commandName: "generate", abstract: "Print a new key-ring entry (id:base64key).")

        @Option(help: "The new key's id (letters, digits, '.', '_' or '-', at most 32).")
        var id: String

        func run(with factory: OperatorContextFactory) async throws {
            print(try factory.generateKey(id))
        }
    }

    struct Rotate: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Re-seal every stored secret under the current (first) key, in batches; servers may keep running."
        )

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run(in context: any OperatorContext) async throws {
            let summary = try await context.rotateKeys { _ in }
            if json {
                print(try JSONOutput.render(summary))
            } else {
                print(
                    "Re-sealed \(summary.tokenPairs) token pair\(summary.tokenPairs == 1 ? "" : "s") and \(summary.verifiers) pending opt-in verifier\(summary.verifiers == 1 ? "" : "s") under key \"\(summary.currentKeyID)\"."
                )
                if summary.remaining > 0 {
                    print(
                        "\(summary.remaining) secret\(summary.remaining == 1 ? " is" : "s are") still under another key (in use, or sealed by a server that does not know the new key yet): run `ipm keys rotate` again."
                    )
                }
            }
            if !summary.unreadable.isEmpty {
                throw CLIError(
                    "\(summary.unreadable.count) stored secret\(summary.unreadable.count == 1 ? "" : "s") could not be opened with IPM_ENCRYPTION_KEYS and \(summary.unreadable.count == 1 ? "was" : "were") left as \(summary.unreadable.count == 1 ? "it was" : "they were"): \(summary.unreadable.joined(separator: "; "))"
                )
            }
        }
    }
}

/// A command that needs the composition root's factory but no database.
protocol FactoryCommand: ParsableCommand {
    func run(with factory: OperatorContextFactory) async throws
}
