/// How a cell is drawn. Colours carry meaning only together with words (a status is always
/// spelled out), so dropping them under `NO_COLOR` loses nothing.
public struct TextStyle: Hashable, Sendable {
    public enum Color: UInt8, Sendable {
        case red = 31
        case green = 32
        case yellow = 33
        case blue = 34
        case magenta = 35
        case cyan = 36
    }

    public var foreground: Color?
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool

    public init(foreground: Color? = nil, bold: Bool = false, dim: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
    }

    public static let plain = TextStyle()
    public static let bold = TextStyle(bold: true)
    public static let dim = TextStyle(dim: true)
    public static let reverse = TextStyle(reverse: true)

    public static func color(_ color: Color, bold: Bool = false) -> TextStyle { TextStyle(foreground: color, bold: bold) }

    /// The SGR parameters of this style under `capabilities` (empty for plain).
    func sgrParameters(_ capabilities: TerminalCapabilities) -> [String] {
        guard capabilities.attributes else { return [] }
        var parameters: [String] = []
        if bold { parameters.append("1") }
        if dim { parameters.append("2") }
        if reverse { parameters.append("7") }
        if capabilities.colors, let foreground { parameters.append(String(foreground.rawValue)) }
        return parameters
    }
}
