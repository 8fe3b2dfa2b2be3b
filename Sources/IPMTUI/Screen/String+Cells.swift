extension String {
    /// The text as one line of cells: line breaks and tabs become spaces; other control
    /// characters (and with them any escape sequence a name could smuggle in) become "?".
    var displayed: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09: out.unicodeScalars.append(" ")
            case 0x00...0x1F, 0x7F...0x9F: out.unicodeScalars.append("?")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// How many terminal cells the text takes: a wide character (CJK, most emoji) takes two.
    public var cellWidth: Int { reduce(0) { $0 + $1.cellWidth } }

    /// At most `width` cells; a longer text is cut and ends in "…".
    public func fitted(to width: Int) -> String {
        guard width > 0 else { return "" }
        guard cellWidth > width else { return self }
        return String(prefix(cells: width - 1)) + "…"
    }

    /// Padded with spaces (or cut with "…") to exactly `width` cells.
    func padded(to width: Int) -> String {
        let fitted = fitted(to: width)
        return fitted + String(repeating: " ", count: max(0, width - fitted.cellWidth))
    }

    /// The text broken into lines of at most `width` characters, at spaces where it can be;
    /// a word longer than a line is cut into pieces.
    public func wrapped(to width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                var word = Substring(word)
                if !line.isEmpty, line.cellWidth + 1 + String(word).cellWidth > width {
                    lines.append(line)
                    line = ""
                }
                while String(word).cellWidth > width {
                    if !line.isEmpty {
                        lines.append(line)
                        line = ""
                    }
                    // At least one character, so a width-1 line still moves on.
                    let piece = Swift.max(1, word.prefix(cells: width).count)
                    lines.append(String(word.prefix(piece)))
                    word = word.dropFirst(piece)
                }
                line += line.isEmpty ? String(word) : " " + word
            }
            lines.append(line)
        }
        return lines
    }
}

extension StringProtocol {
    /// The longest beginning that fits in `width` cells.
    func prefix(cells width: Int) -> SubSequence {
        var used = 0
        var end = startIndex
        for index in indices {
            let next = used + self[index].cellWidth
            if next > width { break }
            used = next
            end = self.index(after: index)
        }
        return self[startIndex..<end]
    }
}

extension Character {
    /// Cells this character takes in a terminal: two for East Asian wide and fullwidth
    /// characters and for emoji shown as pictures, one otherwise (a combining mark belongs to
    /// its character already).
    public var cellWidth: Int {
        guard let first = unicodeScalars.first else { return 1 }
        if unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if first.properties.isEmojiPresentation { return 2 }
        return Self.isWide(first.value) ? 2 : 1
    }

    /// East Asian Width W or F (Unicode 15, the ranges wcwidth implementations use).
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1B000...0x1B2FF, 0x1F200...0x1F2FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
