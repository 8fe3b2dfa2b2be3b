extension String {
    /// The text with everything that could steer a terminal removed: C0 controls but line
    /// feed and tab, DEL, C1 controls, whole escape sequences (CSI, OSC, DCS and the rest),
    /// and bidirectional overrides and isolates that reorder what a person reads. Whatever a
    /// server or the database sends goes through this before it is printed.
    var terminalSafe: String {
        var out = String.UnicodeScalarView()
        var scalars = unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar.value {
            case 0x1B:
                Self.dropEscapeSequence(&scalars)
            case 0x9B, 0x9D, 0x90, 0x98, 0x9E, 0x9F:
                // C1 CSI, OSC, DCS, SOS, PM, APC: their sequence goes too.
                Self.dropSequenceBody(&scalars, csi: scalar.value == 0x9B)
            case 0x0A, 0x09:
                out.append(scalar)
            case 0x00...0x1F, 0x7F, 0x80...0x9F:
                continue
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// One line of a table cell: as `terminalSafe`, with line feeds and tabs as spaces.
    var terminalSafeLine: String {
        String(terminalSafe.map { $0 == "\n" || $0 == "\t" ? " " : $0 })
    }

    /// After ESC: a CSI (`[` … final byte), a string command (`]`, `P`, `X`, `^`, `_` … BEL or
    /// ESC `\`), or one more character.
    private static func dropEscapeSequence(_ scalars: inout Substring.UnicodeScalarView) {
        guard let next = scalars.popFirst() else { return }
        switch next {
        case "[": dropSequenceBody(&scalars, csi: true)
        case "]", "P", "X", "^", "_": dropSequenceBody(&scalars, csi: false)
        default: break
        }
    }

    private static func dropSequenceBody(_ scalars: inout Substring.UnicodeScalarView, csi: Bool) {
        while let scalar = scalars.popFirst() {
            if csi {
                // Parameters and intermediates are 0x20–0x3F; the final byte ends it.
                if (0x40...0x7E).contains(scalar.value) { return }
                if !(0x20...0x3F).contains(scalar.value) { return }
            } else {
                if scalar.value == 0x07 || scalar.value == 0x9C { return }
                if scalar.value == 0x1B {
                    if scalars.first == "\\" { scalars.removeFirst() }
                    return
                }
            }
        }
    }
}
