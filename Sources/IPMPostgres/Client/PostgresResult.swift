import CLibPQ

/// Owns one `PGresult` and frees it (`PQclear`) as soon as the rows are copied out.
final class PostgresResult {
    private let handle: OpaquePointer
    /// The result's column names, when the connection already knew them from an earlier
    /// result of the same shape (`PostgresConnection.columns(of:)`).
    var columns: PostgresColumns?

    static let sqlStateField: Int32 = Int32(UInt8(ascii: "C"))  // PG_DIAG_SQLSTATE
    static let primaryMessageField: Int32 = Int32(UInt8(ascii: "M"))  // PG_DIAG_MESSAGE_PRIMARY
    static let constraintField: Int32 = Int32(UInt8(ascii: "n"))  // PG_DIAG_CONSTRAINT_NAME

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    func errorField(_ field: Int32) -> String? {
        PQresultErrorField(handle, field).map { String(cString: $0) }
    }

    /// `PQcmdTuples`: rows inserted/updated/deleted/selected; 0 for other commands.
    var affectedRows: Int {
        Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    func rows() -> [PostgresRow] {
        let columnCount = PQnfields(handle)
        let rowCount = PQntuples(handle)
        guard rowCount > 0 else { return [] }
        let columns = columns ?? PostgresColumns(of: handle)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(handle, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(handle, row, column)))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        return rows
    }
}
