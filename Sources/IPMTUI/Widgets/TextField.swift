/// A one-line text field; a password field shows "*" for each character. A paste is taken
/// whole (its line breaks dropped): a long URL pasted in stays one value.
public struct TextField: Sendable, Hashable {
    public var label: String
    public private(set) var value: String
    public let isSecure: Bool
    /// The insertion point, in characters.
    public private(set) var cursor: Int
    public var limit: Int

    public init(label: String, value: String = "", isSecure: Bool = false, limit: Int = 4096) {
        self.label = label
        self.value = value
        self.isSecure = isSecure
        self.cursor = value.count
        self.limit = limit
    }

    public mutating func clear() {
        value = ""
        cursor = 0
    }

    /// Editing keys; `true` when the key was the field's.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let character):
            insert(String(character))
        case .paste(let text):
            insert(String(text.filter { $0 != "\n" && $0 != "\r" }))
        case .backspace:
            guard cursor > 0 else { return true }
            value.remove(at: value.index(value.startIndex, offsetBy: cursor - 1))
            cursor -= 1
        case .delete, .control("d"):
            guard cursor < value.count else { return true }
            value.remove(at: value.index(value.startIndex, offsetBy: cursor))
        case .left, .control("b"): cursor = max(0, cursor - 1)
        case .right, .control("f"): cursor = min(value.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = value.count
        case .control("u"):
            value.removeFirst(cursor)
            cursor = 0
        case .control("k"):
            value = String(value.prefix(cursor))
        default: return false
        }
        return true
    }

    private mutating func insert(_ text: String) {
        let room = max(0, limit - value.count)
        let text = String(text.displayed.prefix(room))
        value.insert(contentsOf: text, at: value.index(value.startIndex, offsetBy: cursor))
        cursor += text.count
    }

    /// The value as drawn: masked for a password.
    public var shown: String { isSecure ? String(repeating: "*", count: value.count) : value }

    /// "label: [value   ]" in `width` cells; the focused field shows its cursor and scrolls to keep it in view.
    public func draw(into grid: inout ScreenGrid, row: Int, column: Int, width: Int, labelWidth: Int? = nil, focused: Bool) {
        let labelText = label.isEmpty ? "" : (label + ":").padded(to: labelWidth ?? label.count + 1) + " "
        let used = grid.write(labelText, row: row, column: column, width: width, style: focused ? .bold : .plain)
        let box = width - used
        guard box > 2 else { return }
        let inner = box - 2
        let shown = Array(self.shown)
        let start = max(0, cursor - inner + 1)
        let visible = String(shown[min(start, shown.count)..<min(shown.count, start + inner)])
        grid.write("[", row: row, column: column + used)
        grid.write(visible.padded(to: inner), row: row, column: column + used + 1, width: inner, style: .init(reverse: false))
        grid.write("]", row: row, column: column + used + 1 + inner)
        if focused {
            let cursorColumn = column + used + 1 + min(cursor - start, inner - 1)
            grid.restyle(Rect(row: row, column: cursorColumn, columns: 1, rows: 1)) { $0.reverse = true }
        }
    }
}

/// A spinner's frames: ASCII, so they read the same on any terminal.
public enum Spinner {
    public static let frames: [Character] = ["|", "/", "-", "\\"]

    public static func frame(_ tick: Int) -> Character { frames[((tick % frames.count) + frames.count) % frames.count] }
}
