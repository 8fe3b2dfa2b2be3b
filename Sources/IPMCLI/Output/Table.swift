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
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
