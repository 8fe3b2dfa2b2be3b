/// Aligned columns for listings: what a person reads at a terminal. Cells may carry a
/// colour; widths are measured on the visible text.
struct Table {
    struct Cell {
        let text: String
        let color: TerminalStyle.Color?

        /// `text` may come from a server or the database: it is made safe for a terminal here.
        init(_ text: String, _ color: TerminalStyle.Color? = nil) {
            self.text = text.terminalSafeLine
            self.color = color
        }
    }

    let headers: [String]
    var rows: [[Cell]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func append(_ row: String...) {
        rows.append(row.map { Cell($0) })
    }

    mutating func append(cells: [Cell]) {
        rows.append(cells)
    }

    /// A label and a long text, the text word-wrapped over as many rows as it takes so that
    /// the two-column table stays within `width` columns.
    mutating func appendWrapped(_ label: String, _ text: String, width: Int = 80) {
        let labelWidth = max(headers[0].count, label.count, rows.map { $0[0].text.count }.max() ?? 0, 19)
        for (index, line) in text.wrapped(to: max(20, width - labelWidth - 2)).enumerated() {
            append(index == 0 ? label : "", line)
        }
    }

    func render(_ style: TerminalStyle = TerminalStyle(colors: false)) -> String {
        let all = [headers.map { Cell($0, .bold) }] + rows
        let widths = headers.indices.map { column in all.map { $0[column].text.count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                let text = column == row.count - 1 ? row[column].text : row[column].text.padding(to: widths[column])
                return style.paint(text, row[column].color)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension String {
    /// Word-wrapped to `width` columns; a word longer than that (an address) gets a line of its own.
    func wrapped(to width: Int = 80) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in split(separator: " ", omittingEmptySubsequences: true) {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
