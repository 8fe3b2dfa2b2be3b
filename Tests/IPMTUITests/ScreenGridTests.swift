import Testing

@testable import IPMTUI

@Suite struct ScreenGridTests {
    @Test func longTextIsCutWithAnEllipsis() {
        var grid = ScreenGrid(size: TerminalSize(columns: 10, rows: 2))
        grid.write("A very long company name", row: 0, column: 0)
        grid.write("short", row: 1, column: 2, width: 5)
        #expect(grid.lines == ["A very lo…", "  short"])
        #expect("abcdef".fitted(to: 4) == "abc…")
        #expect("abc".fitted(to: 4) == "abc")
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        var grid = ScreenGrid(size: TerminalSize(columns: 20, rows: 1))
        grid.write("Evil\u{1B}[2JCo\u{9B}", row: 0, column: 0)
        #expect(grid.line(0) == "Evil?[2JCo?")
    }

    @Test func wrapsAtSpacesAndCutsLongWords() {
        #expect("Are you sure you want to opt out".wrapped(to: 12) == ["Are you sure", "you want to", "opt out"])
        #expect("abcdefghij".wrapped(to: 4) == ["abcd", "efgh", "ij"])
    }

    @Test func rendererSendsOnlyWhatChanged() {
        var renderer = ScreenRenderer(capabilities: .full)
        var grid = ScreenGrid(size: TerminalSize(columns: 20, rows: 3))
        grid.write("Companies", row: 0, column: 0)
        let first = renderer.frame(grid)
        #expect(first.hasPrefix("\u{1B}[0m\u{1B}[H\u{1B}[2J"))
        #expect(first.contains("Companies"))
        #expect(renderer.frame(grid) == "")
        grid.write("X", row: 2, column: 5, style: .color(.green))
        #expect(renderer.frame(grid) == "\u{1B}[3;6H\u{1B}[0;32mX\u{1B}[0m")
        // A resize draws the whole frame again.
        var bigger = ScreenGrid(size: TerminalSize(columns: 30, rows: 3))
        bigger.write("Companies", row: 0, column: 0)
        #expect(renderer.frame(bigger).hasPrefix("\u{1B}[0m\u{1B}[H\u{1B}[2J"))
    }

    @Test func noColorKeepsAttributesButDropsColour() {
        var renderer = ScreenRenderer(capabilities: TerminalCapabilities.from(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"]))
        var grid = ScreenGrid(size: TerminalSize(columns: 10, rows: 1))
        grid.write("ok", row: 0, column: 0, style: TextStyle(foreground: .green, bold: true))
        let bytes = renderer.frame(grid)
        #expect(bytes.contains("\u{1B}[0;1m"))
        #expect(!bytes.contains("32"))
    }

    @Test func dumbTerminalsGetPlainLinesWithoutEscapes() {
        let capabilities = TerminalCapabilities.from(environment: ["TERM": "dumb"])
        #expect(capabilities == .plainText)
        var renderer = ScreenRenderer(capabilities: capabilities)
        var grid = ScreenGrid(size: TerminalSize(columns: 10, rows: 2))
        grid.write("Companies", row: 0, column: 0, style: .reverse)
        grid.write("Acme", row: 1, column: 2, style: .color(.red))
        let bytes = renderer.frame(grid)
        #expect(bytes == "Companies\r\n  Acme\r\n")
        #expect(!bytes.contains("\u{1B}"))
        #expect(renderer.frame(grid) == "")
    }

    @Test func wideCharactersTakeTwoCells() {
        #expect("日本".cellWidth == 4)
        #expect("Acme".cellWidth == 4)
        #expect("Ame\u{301}lie".cellWidth == 6, "a combining accent adds no cell")
        #expect("📦".cellWidth == 2)
        #expect("日本通運株式会社".fitted(to: 7) == "日本通…")
        #expect("日本通運株式会社".fitted(to: 6) == "日本…", "never wider than asked: a wide character does not fit in the last cell")
        #expect("日本通運".padded(to: 9) == "日本通運 ")
        #expect("日本通運株式会社".wrapped(to: 5) == ["日本", "通運", "株式", "会社"])
        var grid = ScreenGrid(size: TerminalSize(columns: 10, rows: 1))
        #expect(grid.write("日本通運株式会社", row: 0, column: 1, width: 6) == 5)
        grid.write("|", row: 0, column: 7)
        #expect(grid.line(0) == " 日本… |")
        #expect(grid.line(0).cellWidth == 8)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = ScreenGrid(size: TerminalSize(columns: 6, rows: 2))
        grid.write("日本語", row: 0, column: 0)
        grid.write("x", row: 0, column: 1)
        #expect(grid.line(0) == " x本語")
        grid.write("日本語", row: 1, column: 0)
        grid.write("y", row: 1, column: 2)
        #expect(grid.line(1) == "日y 語")
        for row in 0..<2 { #expect(grid.line(row).cellWidth == 6) }
    }

    @Test func rendererWritesAWideCharacterWhole() {
        var renderer = ScreenRenderer(capabilities: .full)
        var grid = ScreenGrid(size: TerminalSize(columns: 10, rows: 1))
        grid.write("日本 ok", row: 0, column: 0)
        let first = renderer.frame(grid)
        #expect(first.hasSuffix("\u{1B}[1;1H日本\u{1B}[1;6Hok"), "\(first.debugDescription)")
        #expect(!first.contains("\u{0}"))
        // Only the second half's neighbour changes: the run starts at the character, not inside it.
        grid.write("語", row: 0, column: 2)
        #expect(renderer.frame(grid) == "\u{1B}[1;3H語")
        grid.write("z", row: 0, column: 3)
        #expect(renderer.frame(grid) == "\u{1B}[1;3H z")
    }
}
