/// A key and what it does, as the footer and the help screen list them.
public struct KeyHint: Sendable, Hashable {
    public var keys: String
    public var action: String

    public init(_ keys: String, _ action: String) {
        self.keys = keys
        self.action = action
    }
}

/// The one-line bars at the top and bottom of every screen.
public enum Bars {
    /// A reversed line: `left` first, `right` kept whole at the end when both fit.
    public static func status(_ left: String, right: String = "", into grid: inout ScreenGrid, row: Int, style: TextStyle = .reverse) {
        let width = grid.size.columns
        grid.fill(Rect(row: row, column: 0, columns: width, rows: 1), style: style)
        let rightText = right.displayed
        let rightWidth = rightText.cellWidth + 1 < width / 2 ? rightText.cellWidth : 0
        grid.write(" " + left, row: row, column: 0, width: width - (rightWidth > 0 ? rightWidth + 2 : 0), style: style)
        if rightWidth > 0 { grid.write(rightText, row: row, column: width - rightWidth - 1, style: style) }
    }

    /// The footer: the keys that work here, as many as fit, the rest cut with "…".
    public static func help(_ hints: [KeyHint], into grid: inout ScreenGrid, row: Int) {
        var text = ""
        for hint in hints {
            text += (text.isEmpty ? "" : "  ") + hint.keys + " " + hint.action
        }
        grid.fill(Rect(row: row, column: 0, columns: grid.size.columns, rows: 1), style: .reverse)
        grid.write(" " + text, row: row, column: 0, style: .reverse)
    }

    /// A banner line (a lost connection, a failure) in `color`, over the whole width.
    public static func banner(_ text: String, into grid: inout ScreenGrid, row: Int, color: TextStyle.Color = .red) {
        let style = TextStyle(foreground: color, bold: true, reverse: true)
        grid.fill(Rect(row: row, column: 0, columns: grid.size.columns, rows: 1), style: style)
        grid.write(" " + text, row: row, column: 0, style: style)
    }
}
