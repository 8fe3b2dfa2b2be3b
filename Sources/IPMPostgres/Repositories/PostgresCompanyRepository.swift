import Foundation
public import IPMDomain

public struct PostgresCompanyRepository: CompanyRepository {
    private let client: PostgresClient
    private let clock: any Clock

    public init(client: PostgresClient, clock: any Clock) {
        self.client = client
        self.clock = clock
    }

    public func create(_ name: CompanyName, by actor: AuditActor) async throws -> Company {
        let company = Company(name: name, createdAt: clock.now())
        do {
            try await client.withTransaction { connection in
                try connection.execute(
                    """
                    INSERT INTO companies (id, name, created_at)
                    VALUES (\(company.id.rawValue), \(company.name.value), \(company.createdAt))
                    """)
                try connection.execute(
                    """
                    INSERT INTO ups_connections (company_id, status, updated_at)
                    VALUES (\(company.id.rawValue), \(ConnectionStatus.notConnected.rawValue), \(company.createdAt))
                    """)
                try AuditEvent(
                    companyID: company.id, actor: actor, occurredAt: company.createdAt,
                    action: .companyCreated, detail: "Company \(company.name.value) created."
                ).insert(on: connection)
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw DomainError.alreadyExists("company", name.value)
        }
        return company
    }

    public func find(_ reference: CompanyReference) async throws -> Company? {
        let rows: [PostgresRow]
        switch reference {
        case .id(let id):
            rows = try await client.query("SELECT \(unescaped: Company.columns) FROM companies c WHERE c.id = \(id.rawValue)")
        case .name(let name):
            rows = try await client.query("SELECT \(unescaped: Company.columns) FROM companies c WHERE lower(c.name) = lower(\(name.value))")
        }
        return try rows.first.map { try Company(row: $0) }
    }

    public func list() async throws -> [Company] {
        try await client.query("SELECT \(unescaped: Company.columns) FROM companies c ORDER BY lower(c.name)")
            .map { try Company(row: $0) }
    }
}
