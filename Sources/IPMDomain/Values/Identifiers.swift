public import Foundation

/// A UUID that names one kind of thing; the phantom `Subject` keeps a company's id from
/// being passed where an admin's is expected.
public struct Identifier<Subject>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID

    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }

    /// Parses the canonical text form (8-4-4-4-12 hexadecimal digits), any case; `nil` for
    /// anything else.
    public init?(_ text: String) {
        guard let uuid = UUID(canonicalText: text) else { return nil }
        self.rawValue = uuid
    }

    /// Lower-case, as PostgreSQL prints UUIDs.
    public var description: String { rawValue.canonicalText }
}

extension UUID {
    /// Reads the canonical text form (8-4-4-4-12 hexadecimal digits), any case; `nil` for
    /// anything else (no signs, blanks, braces or `0x`). Read here rather than by
    /// `UUID(uuidString:)`, which calls `sscanf` on Linux: ids are read on every token API
    /// request and from every row (decision 80).
    public init?(canonicalText text: String) {
        var text = text
        guard let uuid = text.withUTF8(Self.parse) else { return nil }
        self = uuid
    }

    /// The canonical text form in lower case, as PostgreSQL prints UUIDs (`uuidString` is
    /// upper case, and made with `snprintf`).
    public var canonicalText: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        text[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    text[index] = Self.hexDigit(byte >> 4)
                    text[index + 1] = Self.hexDigit(byte & 0xF)
                    index += 2
                }
                return index
            }
        }
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { bytes -> Bool in
            var index = 0
            for position in bytes.indices {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard text[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = hexValue(text[index]), let low = hexValue(text[index + 1]) else { return false }
                bytes[position] = high << 4 | low
                index += 2
            }
            return true
        }
        return parsed ? UUID(uuid: bytes) : nil
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

/// Identifies a company (tenant). Every tenant-scoped row carries one.
public typealias CompanyID = Identifier<Company>
/// Identifies an admin (a person who signs in to IPM).
public typealias AdminID = Identifier<Admin>
/// Identifies one audit event.
public typealias AuditEventID = Identifier<AuditEvent>
