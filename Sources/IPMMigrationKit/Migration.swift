import Crypto
import Foundation

/// One numbered schema change: `migrations/0001_create_admins.sql` is version 1, named
/// `create_admins`. The checksum is the SHA-256 of the file's bytes, so an applied file
/// that was edited afterwards is noticed.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Self.checksum(of: sql)
    }

    /// The file name this migration has on disk.
    public var fileName: String { MigrationFileName(version: version, name: name).description }

    /// Lower-case hex SHA-256 of the SQL text's UTF-8 bytes.
    public static func checksum(of sql: String) -> String {
        SHA256.hash(data: Data(sql.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
