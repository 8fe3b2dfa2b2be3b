/// A column of a `TableView`: a fixed width, or (width `nil`) a share of what is left.
public struct TableColumn: Sendable, Hashable {
    public var title: String
    public var width: Int?
    public var minimumWidth: Int

    public init(_ title: String, width: Int? = nil, minimumWidth: Int = 8) {
        self.title = title
        self.width = width
        self.minimumWidth = minimumWidth
    }
}

/// One cell: its text (cut with "…" when too long) and style.
public struct TableCell: Sendable, Hashable {
    public var text: String
    public var style: TextStyle

    public init(_ text: String, style: TextStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// A table with a selected row that scrolls to keep the selection in view. The selected
/// row carries a ">" in front (visible without colour or reverse video) and is drawn reversed.
public struct TableView: Sendable {
    public var columns: [TableColumn]
    public private(set) var rows: [[TableCell]] = []
    public private(set) var selected = 0
    public private(set) var offset = 0
    /// How many rows fit; known after the first `draw`, used by PgUp/PgDn.
    public private(set) var pageSize = 10
    public var emptyText = "Nothing to show."

    public init(columns: [TableColumn]) {
        self.columns = columns
    }

    /// New rows; the selection stays on the row `keep` picks out when it is still there.
    public mutating func setRows(_ rows: [[TableCell]], keepingSelectionOn keep: ((Int) -> Int?)? = nil) {
        let previous = selected
        self.rows = rows
        selected = keep?(previous) ?? previous
        clamp()
    }

    public mutating func select(_ index: Int) {
        selected = index
        clamp()
    }

    /// Up/Down, Home/End, PgUp/PgDn (and k/j); `true` when the key was the table's.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .up, .character("k"): selected -= 1
        case .down, .character("j"): selected += 1
        case .home: selected = 0
        case .end: selected = rows.count - 1
        case .pageUp: selected -= max(1, pageSize - 1)
        case .pageDown: selected += max(1, pageSize - 1)
        default: return false
        }
        clamp()
        return true
    }

    private mutating func clamp() {
        selected = rows.isEmpty ? 0 : min(max(0, selected), rows.count - 1)
        offset = min(offset, selected)
        if selected >= offset + pageSize { offset = selected - pageSize + 1 }
        offset = max(0, min(offset, max(0, rows.count - pageSize)))
    }

    /// The widths the columns get in `width` cells (after the two-cell selection marker, one blank between columns).
    func widths(in width: Int) -> [Int] {
        let gaps = max(0, columns.count - 1)
        let fixed = columns.compactMap(\.width).reduce(0, +)
        let flexible = columns.filter { $0.width == nil }.count
        let left = max(0, width - 2 - gaps - fixed)
        var widths = columns.map { column in column.width ?? max(column.minimumWidth, flexible == 0 ? 0 : left / flexible) }
        // Too narrow: the fixed columns give way, last ones first, down to their minimum; then the rest.
        var overflow = 2 + gaps + widths.reduce(0, +) - width
        for pass in 0..<2 {
            for index in columns.indices.reversed() where overflow > 0 && (pass == 1 || columns[index].width != nil) {
                let minimum = pass == 0 ? min(columns[index].minimumWidth, widths[index]) : 0
                let give = min(overflow, widths[index] - minimum)
                widths[index] -= give
                overflow -= give
            }
        }
        return widths
    }

    /// Draws the header and the rows that fit into `rect`.
    public mutating func draw(into grid: inout ScreenGrid, _ rect: Rect) {
        guard rect.rows > 0, rect.columns > 0 else { return }
        pageSize = max(1, rect.rows - 1)
        clamp()
        let widths = widths(in: rect.columns)
        var column = rect.column + 2
        for (index, header) in columns.enumerated() {
            grid.write(header.title, row: rect.row, column: column, width: widths[index], style: .bold)
            column += widths[index] + 1
        }
        guard !rows.isEmpty else {
            grid.write(emptyText, row: rect.row + 2, column: rect.column + 2, width: rect.columns - 2, style: .dim)
            return
        }
        for line in 0..<min(pageSize, rows.count - offset) {
            let index = offset + line
            let row = rect.row + 1 + line
            let isSelected = index == selected
            if isSelected {
                grid.fill(Rect(row: row, column: rect.column, columns: rect.columns, rows: 1), style: .reverse)
                grid.write(">", row: row, column: rect.column, style: .reverse)
            }
            var column = rect.column + 2
            for (cellIndex, cell) in rows[index].prefix(columns.count).enumerated() {
                var style = cell.style
                if isSelected { style.reverse = true }
                grid.write(cell.text, row: row, column: column, width: widths[cellIndex], style: style)
                column += widths[cellIndex] + 1
            }
        }
        // More above or below: say so in the corner rather than silently.
        if offset > 0 { grid.write("↑", row: rect.row, column: rect.column) }
        if offset + pageSize < rows.count, selected != offset + pageSize - 1 {
            grid.write("↓", row: rect.row + pageSize, column: rect.column)
        }
    }
}
