/// A modal question with buttons, drawn in a box over the screen. Left/Right/Tab move
/// between the buttons, Enter chooses, Esc cancels, and a button's first letter chooses it.
public struct Dialog: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case chosen(Int)
        case cancelled
    }

    public var title: String
    public var message: String
    public var buttons: [String]
    public var selected: Int

    public init(title: String, message: String, buttons: [String], default selected: Int = 0) {
        self.title = title
        self.message = message
        self.buttons = buttons
        self.selected = selected
    }

    /// The outcome once the key settles the dialog; `nil` while it stays open.
    public mutating func handle(_ key: Key) -> Outcome? {
        switch key {
        case .left, .backTab: selected = (selected + buttons.count - 1) % buttons.count
        case .right, .tab: selected = (selected + 1) % buttons.count
        case .enter: return .chosen(selected)
        case .escape: return .cancelled
        case .character(let character):
            if let index = buttons.firstIndex(where: { $0.lowercased().first == character.lowercased().first }) { return .chosen(index) }
        default: break
        }
        return nil
    }

    /// The box: centred, at most 72 cells wide, the message wrapped inside it.
    public func draw(into grid: inout ScreenGrid) {
        let width = min(72, grid.size.columns - 2)
        guard width >= 12 else { return }
        let inner = width - 4
        let lines = message.wrapped(to: inner)
        let height = min(grid.size.rows, lines.count + 6)
        let box = Rect(row: max(0, (grid.size.rows - height) / 2), column: (grid.size.columns - width) / 2, columns: width, rows: height)
        Frame.draw(box, title: title, into: &grid)
        for (index, line) in lines.prefix(max(0, height - 6)).enumerated() {
            grid.write(line, row: box.row + 2 + index, column: box.column + 2, width: inner)
        }
        var labels = buttons.enumerated().map { index, title in index == selected ? "[ \(title) ]" : "  \(title)  " }
        var total = labels.map(\.cellWidth).reduce(0, +) + 2 * (labels.count - 1)
        if total > inner {
            labels = buttons.enumerated().map { index, title in index == selected ? "[\(title)]" : " \(title) " }
            total = labels.map(\.cellWidth).reduce(0, +) + 2 * (labels.count - 1)
        }
        var column = box.column + max(2, (width - total) / 2)
        for (index, label) in labels.enumerated() {
            let style: TextStyle = index == selected ? TextStyle(bold: true, reverse: true) : .plain
            column += grid.write(label, row: box.bottom - 2, column: column, width: box.right - 2 - column, style: style) + 2
        }
    }
}

/// A box with a border and a title, its inside blanked (the screen under it is hidden).
public enum Frame {
    public static func draw(_ box: Rect, title: String, into grid: inout ScreenGrid) {
        guard box.columns >= 2, box.rows >= 2 else { return }
        grid.fill(box)
        let horizontal = String(repeating: "-", count: box.columns - 2)
        grid.write("+" + horizontal + "+", row: box.row, column: box.column)
        grid.write("+" + horizontal + "+", row: box.bottom - 1, column: box.column)
        for row in box.row + 1..<box.bottom - 1 {
            grid.write("|", row: row, column: box.column)
            grid.write("|", row: row, column: box.right - 1)
        }
        if !title.isEmpty {
            grid.write(" \(title) ", row: box.row, column: box.column + 2, width: box.columns - 4, style: .bold)
        }
    }
}
