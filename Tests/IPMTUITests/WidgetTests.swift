import Testing

@testable import IPMTUI

@Suite struct WidgetTests {
    private func table(rows count: Int) -> TableView {
        var table = TableView(columns: [TableColumn("NAME"), TableColumn("STATUS", width: 10)])
        table.setRows((1...count).map { [TableCell("Company \($0)"), TableCell("Authenticated")] })
        return table
    }

    @Test func tableScrollsToKeepTheSelectionInView() {
        var table = table(rows: 30)
        var grid = ScreenGrid(size: TerminalSize(columns: 30, rows: 6))
        table.draw(into: &grid, grid.bounds)
        #expect(
            grid.lines == [
                "  NAME              STATUS",
                "> Company 1         Authentic…",
                "  Company 2         Authentic…",
                "  Company 3         Authentic…",
                "  Company 4         Authentic…",
                "↓ Company 5         Authentic…",
            ])
        let r1 = table.handle(.pageDown)
        #expect(r1)
        #expect(table.selected == 4)
        let r2 = table.handle(.down)
        #expect(r2)
        grid = ScreenGrid(size: TerminalSize(columns: 30, rows: 6))
        table.draw(into: &grid, grid.bounds)
        #expect(grid.line(5).hasPrefix("> Company 6"))
        #expect(grid.line(1).hasPrefix("  Company 2"))
        let r3 = table.handle(.end)
        #expect(r3)
        grid = ScreenGrid(size: TerminalSize(columns: 30, rows: 6))
        table.draw(into: &grid, grid.bounds)
        #expect(grid.line(5).hasPrefix("> Company 30"))
        let r4 = table.handle(.character("x"))
        #expect(!r4)
    }

    @Test func tableKeepsTheSelectionWhenRowsChange() {
        var table = table(rows: 5)
        table.select(3)
        table.setRows((1...2).map { [TableCell("C\($0)")] })
        #expect(table.selected == 1)
        table.setRows((1...5).map { [TableCell("C\($0)")] }, keepingSelectionOn: { _ in 4 })
        #expect(table.selected == 4)
    }

    @Test func dialogDefaultsToNoAndAnswersByKey() {
        var dialog = Dialog(
            title: "Opt out", message: "Are you sure you want to opt out of UPS Online Tools (OAuth)?", buttons: ["Yes", "No"], default: 1)
        var grid = ScreenGrid(size: .standard)
        dialog.draw(into: &grid)
        #expect(grid.text.contains("Are you sure you want to opt out of UPS Online Tools (OAuth)?"))
        #expect(grid.text.contains("[ No ]"))
        let r5 = dialog.handle(.enter)
        #expect(r5 == .chosen(1))
        let r6 = dialog.handle(.left)
        #expect(r6 == nil)
        let r7 = dialog.handle(.enter)
        #expect(r7 == .chosen(0))
        let r8 = dialog.handle(.escape)
        #expect(r8 == .cancelled)
        let r9 = dialog.handle(.character("y"))
        #expect(r9 == .chosen(0))
    }

    @Test func passwordFieldMasksAndEdits() {
        var field = TextField(label: "Password", isSecure: true)
        for character in "secrex" { _ = field.handle(.character(character)) }
        _ = field.handle(.backspace)
        _ = field.handle(.character("t"))
        #expect(field.value == "secret")
        var grid = ScreenGrid(size: TerminalSize(columns: 30, rows: 1))
        field.draw(into: &grid, row: 0, column: 0, width: 30, focused: true)
        #expect(grid.line(0) == "Password: [******            ]")
        #expect(!grid.text.contains("secret"))
        _ = field.handle(.home)
        _ = field.handle(.delete)
        #expect(field.value == "ecret")
        _ = field.handle(.control("u"))
        _ = field.handle(.end)
        _ = field.handle(.control("u"))
        #expect(field.value.isEmpty)
    }

    @Test func pastedAddressStaysOneLine() {
        var field = TextField(label: "Address")
        _ = field.handle(.paste("https://127.0.0.1/oauth/ups/callback?code=a\n&state=b\n"))
        #expect(field.value == "https://127.0.0.1/oauth/ups/callback?code=a&state=b")
    }

    @Test func footerCutsWhatDoesNotFit() {
        var grid = ScreenGrid(size: TerminalSize(columns: 30, rows: 1))
        Bars.help([KeyHint("q", "Quit"), KeyHint("Enter", "Open"), KeyHint("/", "Filter"), KeyHint("?", "Help")], into: &grid, row: 0)
        #expect(grid.line(0) == " q Quit  Enter Open  / Filter…")
    }

    @Test func spinnerCycles() {
        #expect((0..<5).map(Spinner.frame) == ["|", "/", "-", "\\", "|"])
    }
}
