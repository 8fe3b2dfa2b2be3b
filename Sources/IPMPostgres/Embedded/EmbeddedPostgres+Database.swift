import CLibPQ
import Foundation

extension EmbeddedPostgres {
    /// Polls the server like `pg_isready` until it accepts connections.
    static func waitUntilAcceptingConnections(_ connectionString: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if PQping(connectionString) == PQPING_OK { return true }
            usleep(200_000)
        } while ContinuousClock.now < deadline
        return false
    }

    /// Creates database `name` unless it exists, connected to the `postgres` database.
    static func createDatabaseIfMissing(_ name: String, layout: ClusterLayout) throws(EmbeddedPostgresError) {
        guard let connection = PQconnectdb(layout.connectionString(database: "postgres") + " connect_timeout=10") else {
            throw .databaseSetupFailed("PQconnectdb returned no connection")
        }
        defer { PQfinish(connection) }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw .databaseSetupFailed(String(cString: PQerrorMessage(connection)))
        }
        // `name` is our own constant, never user input; identifiers cannot be bind parameters.
        let exists = try execute(connection, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = '\(name)'")
        guard !exists else { return }
        do {
            _ = try execute(connection, "CREATE DATABASE \"\(name)\"")
        } catch let error where error.details.contains("42P04") {
            return  // created concurrently: fine
        }
    }

    /// Runs one statement; returns whether it produced at least one row.
    private static func execute(_ connection: OpaquePointer, _ sql: String) throws(EmbeddedPostgresError) -> Bool {
        guard let result = PQexec(connection, sql) else {
            throw .databaseSetupFailed(String(cString: PQerrorMessage(connection)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK: return PQntuples(result) > 0
        case PGRES_COMMAND_OK: return false
        default:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            throw .databaseSetupFailed("\(sqlState): \(String(cString: PQresultErrorMessage(result)))")
        }
    }
}
