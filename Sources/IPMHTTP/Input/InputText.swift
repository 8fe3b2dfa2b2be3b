/// The one rule for text IPM reads from a request — form fields, JSON strings, query
/// strings, paths: UTF-8 without NUL. PostgreSQL's text cannot hold a NUL, and Swift would
/// silently replace bytes that are not UTF-8, so such input is refused where it is decoded
/// (a 400 that changes nothing) instead of failing deep down with a 500 or being altered unseen.
enum InputText {
    /// `bytes` as text, when they are UTF-8 and hold no NUL.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Percent-decoded text (with `+` as a space in forms), when the result is UTF-8 without
    /// NUL. A `%` without two hex digits after it stays as it is, as browsers send it.
    static func percentDecoded(_ text: some Collection<UInt8>, plusIsSpace: Bool = false) -> String? {
        let utf8 = Array(text)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let high = hex(utf8[index + 1]), let low = hex(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return decode(bytes)
    }

    /// Whether a JSON body can only decode to such text: UTF-8, no NUL byte, and no `\u0000`
    /// escape in a string (an escaped backslash before `u0000` is a backslash, not a NUL).
    static func isAcceptableJSON(_ bytes: some Collection<UInt8>) -> Bool {
        let json = Array(bytes)
        guard decode(json) != nil else { return false }
        var index = 0
        while index < json.count {
            guard json[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            if index + 5 < json.count, json[index + 1] == UInt8(ascii: "u"), json[(index + 2)...(index + 5)].allSatisfy({ $0 == UInt8(ascii: "0") }) {
                return false
            }
            index += 2
        }
        return true
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A request with text IPM does not read (`InputText`): answered 400, nothing changed.
struct UnreadableInput: Error, Sendable, Equatable {
    enum Place: String, Sendable {
        case form = "form"
        case jsonBody = "JSON body"
        case query = "address's query"
        case path = "address"
    }

    let place: Place
}
