public import IPMDomain

extension UPSTokenRefresher {
    /// `ipm tokens refresh`: one company's refresh (forced or not), or every due company's,
    /// each as a line naming the company, sorted by name. A company deleted while its refresh
    /// ran has no line.
    public func reports(
        for reference: CompanyReference?, force: Bool, companies: any CompanyRepository, limit: Int = 10_000
    ) async throws -> [RefreshReport] {
        if let reference {
            guard let company = try await companies.find(reference) else { throw DomainError.companyNotFound(reference) }
            return [RefreshReport(company: company, outcome: await refresh(company.id, force: force))]
        }
        let outcomes = try await refreshDue(limit: limit)
        let byID = Dictionary(uniqueKeysWithValues: try await companies.list().map { ($0.id, $0) })
        return outcomes.compactMap { id, outcome in byID[id].map { RefreshReport(company: $0, outcome: outcome) } }
            .sorted { $0.company.name.normalized < $1.company.name.normalized }
    }
}
