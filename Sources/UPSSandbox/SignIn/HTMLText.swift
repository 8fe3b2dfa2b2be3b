/// Text made safe to place in HTML content and attribute values.
struct HTMLText: CustomStringConvertible {
    let description: String

    init(_ text: String) {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        description = escaped
    }
}
