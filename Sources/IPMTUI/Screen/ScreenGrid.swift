/// The size of a terminal, or of a part of it.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    public static let standard = TerminalSize(columns: 80, rows: 24)
    public var description: String { "\(columns)×\(rows)" }
}

/// A rectangle of the screen, in cells; row and column 0 are the top left.
public struct Rect: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public var columns: Int
    public var rows: Int

    public init(row: Int, column: Int, columns: Int, rows: Int) {
        self.row = row
        self.column = column
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    public var bottom: Int { row + rows }
    public var right: Int { column + columns }

    /// The rectangle less `amount` cells on every side.
    public func inset(by amount: Int) -> Rect {
        Rect(row: row + amount, column: column + amount, columns: columns - 2 * amount, rows: rows - 2 * amount)
    }
}

/// One character cell. A wide character takes its cell and the next, which holds a
/// continuation (`isContinuation`) that the renderer skips, as the terminal does.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: TextStyle
    public var isContinuation: Bool

    public init(_ character: Character = " ", style: TextStyle = .plain) {
        self.character = character
        self.style = style
        self.isContinuation = false
    }

    static func continuation(style: TextStyle) -> Cell {
        var cell = Cell("\u{0}", style: style)
        cell.isContinuation = true
        return cell
    }

    public static let blank = Cell()
}

/// What a frame looks like, cell by cell. Screens draw into a grid; the renderer turns the
/// difference between two grids into bytes, and tests read a grid back as text.
public struct ScreenGrid: Hashable, Sendable {
    public let size: TerminalSize
    private var cells: [Cell]

    public init(size: TerminalSize) {
        self.size = size
        cells = Array(repeating: .blank, count: size.columns * size.rows)
    }

    public var bounds: Rect { Rect(row: 0, column: 0, columns: size.columns, rows: size.rows) }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * size.columns + column] }
        set {
            guard row >= 0, row < size.rows, column >= 0, column < size.columns else { return }
            let index = row * size.columns + column
            // Overwriting half of a wide character blanks the other half: the terminal would.
            if cells[index].isContinuation, !newValue.isContinuation, column > 0 {
                cells[index - 1] = Cell(" ", style: cells[index - 1].style)
            }
            if !cells[index].isContinuation, column + 1 < size.columns, cells[index + 1].isContinuation {
                cells[index + 1] = Cell(" ", style: cells[index + 1].style)
            }
            cells[index] = newValue
        }
    }

    /// Writes one line of `text` at (`row`, `column`), at most `width` cells wide (the rest of
    /// the row by default): a longer text ends in "…". Control characters never reach the
    /// terminal. Returns the number of cells written (a wide character counts two).
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, width: Int? = nil, style: TextStyle = .plain) -> Int {
        guard row >= 0, row < size.rows, column < size.columns else { return 0 }
        let available = min(width ?? Int.max, size.columns - column)
        guard available > 0 else { return 0 }
        var written = 0
        for character in text.displayed.fitted(to: available) {
            let cells = character.cellWidth
            guard written + cells <= available else { break }
            self[row, column + written] = Cell(character, style: style)
            if cells == 2 { self[row, column + written + 1] = .continuation(style: style) }
            written += cells
        }
        return written
    }

    /// Sets `rect` to `character` in `style`.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: TextStyle = .plain) {
        for row in max(0, rect.row)..<min(size.rows, rect.bottom) where rect.columns > 0 {
            for column in max(0, rect.column)..<min(size.columns, rect.right) {
                self[row, column] = Cell(character, style: style)
            }
        }
    }

    /// The styles of `rect` changed to `change` (the characters stay).
    public mutating func restyle(_ rect: Rect, _ change: (inout TextStyle) -> Void) {
        for row in max(0, rect.row)..<min(size.rows, rect.bottom) where rect.columns > 0 {
            for column in max(0, rect.column)..<min(size.columns, rect.right) {
                change(&cells[row * size.columns + column].style)
            }
        }
    }

    /// Row `row` as text, without trailing blanks.
    public func line(_ row: Int) -> String {
        let start = row * size.columns
        var text = String(cells[start..<start + size.columns].filter { !$0.isContinuation }.map(\.character))
        while text.last == " " { text.removeLast() }
        return text
    }

    public var lines: [String] { (0..<size.rows).map(line) }

    /// The whole frame as text, one line per row, trailing blanks removed.
    public var text: String { lines.joined(separator: "\n") }
}
