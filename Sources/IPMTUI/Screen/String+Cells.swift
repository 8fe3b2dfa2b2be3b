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

    /// At most `width` characters; a longer text is cut and ends in "…".
    public func fitted(to width: Int) -> String {
        guard width > 0 else { return "" }
        guard count > width else { return self }
        return String(prefix(width - 1)) + "…"
    }

    /// Padded with spaces (or cut with "…") to exactly `width` characters.
    func padded(to width: Int) -> String {
        let fitted = fitted(to: width)
        return fitted + String(repeating: " ", count: max(0, width - fitted.count))
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
                if !line.isEmpty, line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                while word.count > width {
                    if !line.isEmpty {
                        lines.append(line)
                        line = ""
                    }
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                line += line.isEmpty ? String(word) : " " + word
            }
            lines.append(line)
        }
        return lines
    }
}
