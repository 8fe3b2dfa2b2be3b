import ArgumentParser
import Foundation
import IPMDomain
import IPMTUI

/// `ipm-tui`: the full-screen terminal front.
struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipm-tui",
        abstract: TUIInfo.abstract,
        discussion: "Not part of this build yet: use `ipm` for operator tasks and ipm-server's web pages for opt-in.",
        version: IPMBuild.version
    )

    func run() throws {
        throw ValidationError("the terminal UI is not part of this build yet; use `ipm` or the web pages")
    }
}

public enum TUIEntry {
    public static func main() {
        TUICommand.main()
    }
}
