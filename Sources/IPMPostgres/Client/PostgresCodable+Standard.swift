public import Foundation
import IPMDomain

// Text-format conformances for the types the repositories use. Decoders accept exactly what
// PostgreSQL prints for the matching column type; a mismatch is `.decodingFailed`, and the
// error never carries the value itself (it may be a secret).

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self) }
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self)) }
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int(postgresText) else { throw .decoding(Int.self) }
        self = value
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self)) }
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int64(postgresText) else { throw .decoding(Int64.self) }
        self = value
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self)) }
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int32(postgresText) else { throw .decoding(Int32.self) }
        self = value
    }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self)) }
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int16(postgresText) else { throw .decoding(Int16.self) }
        self = value
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self ? "true" : "false") }
    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw .decoding(Bool.self)
        }
    }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind {
        if isNaN { return PostgresBind(text: "NaN") }
        if isInfinite { return PostgresBind(text: self < 0 ? "-Infinity" : "Infinity") }
        return PostgresBind(text: String(self))
    }

    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(postgresText) else { throw .decoding(Double.self) }
            self = value
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: canonicalText) }
    public init(postgresText: String) throws(PostgresError) {
        guard let value = UUID(canonicalText: postgresText) else { throw .decoding(UUID.self) }
        self = value
    }
}

/// `timestamptz`: sent as ISO-8601 in UTC with microseconds, read from PostgreSQL's ISO
/// output (every connection runs with `TimeZone=UTC`, `DateStyle=ISO`).
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: PostgresTimestamp.format(self)) }
    public init(postgresText: String) throws(PostgresError) {
        guard let value = PostgresTimestamp.parse(postgresText) else { throw .decoding(Date.self) }
        self = value
    }
}

/// `bytea` in hex format (`\x0a1b…`).
extension Array: PostgresEncodable where Element == UInt8 {
    public var postgresBind: PostgresBind { PostgresBind(text: PostgresByteA.format(self)) }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public init(postgresText: String) throws(PostgresError) {
        guard let bytes = PostgresByteA.parse(postgresText) else { throw .decoding([UInt8].self) }
        self = bytes
    }
}

/// `bytea`, for callers that hold `Data`.
extension Data: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(text: PostgresByteA.format(Array(self))) }
    public init(postgresText: String) throws(PostgresError) {
        guard let bytes = PostgresByteA.parse(postgresText) else { throw .decoding(Data.self) }
        self = Data(bytes)
    }
}
