import Foundation
public import IPMDomain

public struct PostgresUPSConnectionRepository: UPSConnectionRepository {
    private let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func connection(for company: CompanyID) async throws -> UPSConnection {
        let rows = try await client.query("""
            SELECT \(unescaped: UPSConnection.columns) FROM ups_connections u WHERE u.company_id = \(company.rawValue)
            """)
        return try rows.first.map { try UPSConnection(row: $0) } ?? .notConnected(company)
    }

    public func transition(_ company: CompanyID, _ change: @escaping @Sendable (UPSConnection) throws -> ConnectionTransition) async throws -> UPSConnection {
        try await client.withTransaction { connection in
            // The row lock serialises transitions of one company across every instance.
            let rows = try connection.query("""
                SELECT \(unescaped: UPSConnection.columns) FROM ups_connections u WHERE u.company_id = \(company.rawValue) FOR UPDATE
                """)
            guard let row = rows.first else { throw DomainError.notFound("company", company.description) }
            let result = try change(try UPSConnection(row: row))
            let next = result.connection
            try connection.execute("""
                UPDATE ups_connections SET
                    status = \(next.status.rawValue),
                    authorized_by = \(next.authorizedBy?.rawValue),
                    authorized_at = \(next.authorizedAt),
                    access_token_expires_at = \(next.accessTokenExpiresAt),
                    refresh_token_expires_at = \(next.refreshTokenExpiresAt),
                    reauthorization_message = \(next.reauthorizationMessage),
                    updated_at = \(next.updatedAt)
                WHERE company_id = \(company.rawValue)
                """)
            try result.event?.insert(on: connection)
            return next
        }
    }

    public func countByStatus() async throws -> [ConnectionStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: ConnectionStatus.allCases.map { ($0, 0) })
        for row in try await client.query("SELECT status, count(*)::bigint AS n FROM ups_connections GROUP BY status") {
            if let status = ConnectionStatus(rawValue: try row.decode("status", as: String.self)) {
                counts[status] = try row.decode("n", as: Int.self)
            }
        }
        return counts
    }
}
