/// Turns frames into bytes for the terminal, sending only the cells that changed since the
/// last frame. Without cursor addressing (`TERM=dumb`), a changed frame is written whole as
/// plain lines.
public struct ScreenRenderer: Sendable {
    public let capabilities: TerminalCapabilities
    private var previous: ScreenGrid?

    public init(capabilities: TerminalCapabilities) {
        self.capabilities = capabilities
    }

    /// Forgets what the terminal shows, so the next frame is drawn whole (after a resize, or
    /// when something else may have written to the screen).
    public mutating func invalidate() {
        previous = nil
    }

    /// The bytes that turn the last frame into `grid` (empty when nothing changed).
    public mutating func frame(_ grid: ScreenGrid) -> String {
        defer { previous = grid }
        guard capabilities.attributes else {
            guard grid != previous else { return "" }
            return grid.lines.joined(separator: "\r\n") + "\r\n"
        }
        var out = ""
        var current = TextStyle.plain
        let old = previous.flatMap { $0.size == grid.size ? $0 : nil }
        if old == nil { out += "\u{1B}[0m\u{1B}[H\u{1B}[2J" }
        for row in 0..<grid.size.rows {
            var column = 0
            while column < grid.size.columns {
                let cell = grid[row, column]
                if let old, old[row, column] == cell {
                    column += 1
                    continue
                }
                if old == nil, cell == .blank {
                    column += 1
                    continue
                }
                // One run of changed cells: move there once, then write them in order. A run
                // never starts or ends inside a wide character: the terminal draws it whole.
                if cell.isContinuation, column > 0 { column -= 1 }
                out += "\u{1B}[\(row + 1);\(column + 1)H"
                while column < grid.size.columns {
                    let cell = grid[row, column]
                    let wide = column + 1 < grid.size.columns && grid[row, column + 1].isContinuation
                    if let old, old[row, column] == cell, !wide || old[row, column + 1] == grid[row, column + 1] { break }
                    if old == nil, cell == .blank { break }
                    if cell.isContinuation {
                        column += 1
                        continue
                    }
                    if cell.style != current {
                        out += sgr(cell.style)
                        current = cell.style
                    }
                    out.append(cell.character)
                    column += 1
                }
            }
        }
        if current != .plain { out += "\u{1B}[0m" }
        return out
    }

    private func sgr(_ style: TextStyle) -> String {
        "\u{1B}[" + (["0"] + style.sgrParameters(capabilities)).joined(separator: ";") + "m"
    }
}
