import Foundation
import IPMDomain

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour for people at a terminal, plain text for pipes and files. `NO_COLOR` (any
/// non-empty value, no-color.org) and `TERM=dumb` turn colour off.
struct TerminalStyle: Sendable {
    enum Color: String, Sendable {
        case green = "32"
        case yellow = "33"
        case red = "31"
        case dim = "2"
        case bold = "1"
    }

    let colors: Bool

    static func standardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalStyle {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        return TerminalStyle(colors: !noColor && isatty(STDOUT_FILENO) == 1)
    }

    func paint(_ text: String, _ color: Color?) -> String {
        guard colors, let color else { return text }
        return "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m"
    }
}

extension ConnectionStatus {
    /// The colour of the status word: green when it works, red when an admin must act.
    var color: TerminalStyle.Color {
        switch self {
        case .authenticated: .green
        case .reauthorizationRequired, .blocked: .red
        case .optedOut: .yellow
        case .notConnected: .dim
        }
    }
}
