import CLibPQ
import Glibc

/// One result row, copied out of libpq (text format).
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let values: [String?]

    /// The column names, in order.
    public var columnNames: [String] { columns.names }

    /// The value of `column`; `.decodingFailed` if the column is missing, `NULL`, or
    /// not readable as `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(at: try index(of: column), as: type)
    }

    /// The value of `column`, or `nil` when it is `NULL`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type) throws(PostgresError) -> T? {
        let index = try index(of: column)
        guard values[index] != nil else { return nil }
        return try decode(at: index, as: T.self)
    }

    /// The value of the column at `index` (0-based).
    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard values.indices.contains(index) else {
            throw PostgresError.decodingFailed.with(detail: "no column at index \(index)")
        }
        return try decode(at: index, as: type)
    }

    /// Whether `column` is `NULL`.
    public func isNull(_ column: String) throws(PostgresError) -> Bool {
        values[try index(of: column)] == nil
    }

    private func index(of column: String) throws(PostgresError) -> Int {
        guard let index = columns.index[column] else {
            throw PostgresError.decodingFailed.with(detail: "no column named \(column)")
        }
        return index
    }

    private func decode<T: PostgresDecodable>(at index: Int, as type: T.Type) throws(PostgresError) -> T {
        let name = columns.names[index]
        guard let text = values[index] else {
            throw PostgresError.decodingFailed.with(detail: "column \(name) is NULL, expected \(T.self)")
        }
        do {
            return try T(postgresText: text)
        } catch {
            throw error.with(detail: "column \(name) is not a valid \(T.self)")
        }
    }
}

/// The column names of one result, shared by its rows.
final class PostgresColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    convenience init(of result: OpaquePointer) {
        self.init(names: (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) })
    }

    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        index.reserveCapacity(names.count)
        // The first of two equally named columns wins, as in most drivers.
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.index = index
    }

    /// Whether `result` has exactly these columns, by name and order (no allocation).
    func match(_ result: OpaquePointer) -> Bool {
        guard PQnfields(result) == names.count else { return false }
        for (position, name) in names.enumerated() {
            guard let field = PQfname(result, Int32(position)) else { return false }
            var name = name
            let equal = name.withUTF8 { bytes in
                strlen(field) == bytes.count && (bytes.isEmpty || memcmp(field, bytes.baseAddress!, bytes.count) == 0)
            }
            guard equal else { return false }
        }
        return true
    }
}
