/// Turns the bytes a terminal sends into keys: UTF-8 text, control keys, CSI/SS3 sequences
/// (xterm, VT220, rxvt and the Linux console spell Home/End and the function keys
/// differently) and bracketed paste (`ESC [200~ … ESC [201~`). Bytes may arrive split
/// anywhere; an incomplete sequence waits for the next `feed`. A lone Esc cannot be told from
/// the start of a sequence until the terminal stays quiet: the reader then calls `flush()`.
public struct KeyDecoder: Sendable {
    private var buffer: [UInt8] = []
    /// The text of a bracketed paste so far, while one is open.
    private var pasted: [UInt8]?

    private static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)
    /// A paste larger than this is cut (a runaway paste must not eat memory).
    static let pasteLimit = 64 * 1024

    public init() {}

    /// An incomplete escape sequence is waiting: without more bytes soon, `flush()` it.
    public var isWaiting: Bool { !buffer.isEmpty && pasted == nil }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Key] {
        buffer.append(contentsOf: bytes)
        var keys: [Key] = []
        while let key = next() { keys.append(key) }
        return keys
    }

    /// What is left when the terminal went quiet: a lone Esc, or Alt/Esc plus an incomplete sequence.
    public mutating func flush() -> [Key] {
        guard pasted == nil, !buffer.isEmpty else { return [] }
        var keys: [Key] = []
        if buffer.first == 0x1B {
            keys.append(.escape)
            buffer.removeFirst()
        }
        keys.append(contentsOf: feed([]))
        if !buffer.isEmpty {
            buffer.removeAll()
            keys.append(.unknown)
        }
        return keys
    }

    /// The next complete key at the front of the buffer, removed from it; `nil` when more bytes are needed.
    private mutating func next() -> Key? {
        if pasted != nil { return nextPasted() }
        guard let first = buffer.first else { return nil }
        switch first {
        case 0x1B:
            guard buffer.count > 1 else { return nil }
            switch buffer[1] {
            case UInt8(ascii: "["): return csi()
            case UInt8(ascii: "O"): return ss3()
            case 0x1B:
                buffer.removeFirst()
                return .escape
            default:
                guard let (character, length) = character(at: 1) else { return nil }
                buffer.removeFirst(1 + length)
                if let character { return .alt(character) }
                return .unknown
            }
        case 0x0D, 0x0A: return take(1, .enter)
        case 0x09: return take(1, .tab)
        case 0x7F, 0x08: return take(1, .backspace)
        case 0x01...0x1A: return take(1, .control(Character(Unicode.Scalar(first + 0x60))))
        case 0x00, 0x1C...0x1F: return take(1, .unknown)
        default:
            guard let (character, length) = character(at: 0) else { return nil }
            buffer.removeFirst(length)
            return character.map(Key.character) ?? .unknown
        }
    }

    private mutating func take(_ count: Int, _ key: Key) -> Key {
        buffer.removeFirst(count)
        return key
    }

    /// One UTF-8 character at `index`: `nil` when incomplete; a `nil` character (and its
    /// length) when the bytes are not UTF-8.
    private func character(at index: Int) -> (Character?, Int)? {
        let lead = buffer[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: length = 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (nil, 1)
        }
        guard buffer.count - index >= length else { return nil }
        let bytes = buffer[index..<index + length]
        guard bytes.dropFirst().allSatisfy({ $0 & 0xC0 == 0x80 }), let text = String(validating: bytes, as: UTF8.self), let character = text.first
        else {
            return (nil, 1)
        }
        return (character, length)
    }

    /// `ESC [` parameters (0x30–0x3F), intermediates (0x20–0x2F), one final byte (0x40–0x7E).
    private mutating func csi() -> Key? {
        var index = 2
        while index < buffer.count, (0x20...0x3F).contains(buffer[index]) { index += 1 }
        guard index < buffer.count else {
            // A sequence that never ends is not held forever.
            if buffer.count > 32 { return take(buffer.count, .unknown) }
            return nil
        }
        let final = buffer[index]
        let parameters = String(decoding: buffer[2..<index], as: UTF8.self)
        buffer.removeFirst(index + 1)
        guard (0x40...0x7E).contains(final) else { return .unknown }
        // Modifiers (`1;5A` is Ctrl-Up) are ignored: the screens only need the key.
        let first = Int(parameters.split(separator: ";").first ?? "") ?? 1
        if let key = Self.cursorKey(final) { return key }
        switch final {
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            switch first {
            case 1, 7: return .home
            case 2: return .insert
            case 3: return .delete
            case 4, 8: return .end
            case 5: return .pageUp
            case 6: return .pageDown
            case 11...15: return .function(first - 10)
            case 17...21: return .function(first - 11)
            case 23, 24: return .function(first - 12)
            case 200:
                pasted = []
                return nextPasted()
            default: return .unknown
            }
        default: return .unknown
        }
    }

    /// `ESC O` and one byte: the keypad in application mode and F1–F4.
    private mutating func ss3() -> Key? {
        guard buffer.count > 2 else { return nil }
        let final = buffer[2]
        buffer.removeFirst(3)
        if let key = Self.cursorKey(final) { return key }
        switch final {
        case UInt8(ascii: "M"): return .enter
        case UInt8(ascii: "P")...UInt8(ascii: "S"): return .function(Int(final - UInt8(ascii: "P")) + 1)
        default: return .unknown
        }
    }

    /// The cursor keys, spelled with the same final letter after `ESC [` and `ESC O`.
    private static func cursorKey(_ final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        default: nil
        }
    }

    /// Inside a bracketed paste: everything up to `ESC [201~` is text.
    private mutating func nextPasted() -> Key? {
        guard var text = pasted else { return nil }
        let end = Self.pasteEnd
        var found: Int?
        if buffer.count >= end.count {
            for start in 0...(buffer.count - end.count) where buffer[start] == 0x1B && Array(buffer[start..<start + end.count]) == end {
                found = start
                break
            }
        }
        guard let found else {
            // Keep the tail that could be the start of the end marker.
            let keep = min(buffer.count, end.count - 1)
            if text.count < Self.pasteLimit { text.append(contentsOf: buffer.dropLast(keep).prefix(Self.pasteLimit - text.count)) }
            buffer.removeFirst(buffer.count - keep)
            pasted = text
            return nil
        }
        if text.count < Self.pasteLimit { text.append(contentsOf: buffer[..<found].prefix(Self.pasteLimit - text.count)) }
        buffer.removeFirst(found + end.count)
        pasted = nil
        let string = String(decoding: text, as: UTF8.self).replacingCRLF()
        return .paste(string)
    }
}

extension String {
    /// Line ends as a paste brings them (`\r\n`, `\r`) turned into `\n`.
    fileprivate func replacingCRLF() -> String {
        var out = ""
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                out.unicodeScalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
