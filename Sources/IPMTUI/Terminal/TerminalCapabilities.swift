public import Foundation

/// What the terminal may be sent. `NO_COLOR` (any non-empty value, no-color.org) turns colour
/// off; `TERM=dumb` (or no `TERM`) turns every escape sequence off: frames are then written as
/// plain lines, one after the other.
public struct TerminalCapabilities: Hashable, Sendable {
    /// Cursor addressing, alternate screen, bold/reverse: a screen redrawn in place.
    public var attributes: Bool
    public var colors: Bool

    public init(attributes: Bool, colors: Bool) {
        self.attributes = attributes
        self.colors = attributes && colors
    }

    public static let full = TerminalCapabilities(attributes: true, colors: true)
    public static let plainText = TerminalCapabilities(attributes: false, colors: false)

    public static func from(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalCapabilities {
        let term = environment["TERM"] ?? ""
        let dumb = term.isEmpty || term == "dumb"
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalCapabilities(attributes: !dumb, colors: !noColor)
    }
}
