import Foundation

/// A JSON value read as text whatever its type: UPS sends every field as a string
/// (`"expires_in":"14399"`), look-alikes send numbers. Objects, arrays, booleans and null
/// read as nil instead of failing the whole document.
struct LenientJSONValue: Decodable {
    let text: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else if let number = try? container.decode(Double.self), number.isFinite {
            text = number.rounded() == number && abs(number) < 1e18 ? String(Int64(number)) : String(number)
        } else {
            text = nil
        }
    }

    /// A whole number of seconds; strings such as `"14399"` or `"14399.0"` included.
    var integer: Int64? {
        // Digits as UPS sends them, without trimming first (it showed in the refresh's profile).
        if let text, let value = Int64(text) { return value }
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let value = Int64(text) { return value }
        guard let number = Double(text), number.isFinite, number.rounded() == number, abs(number) < 1e18 else { return nil }
        return Int64(number)
    }
}
