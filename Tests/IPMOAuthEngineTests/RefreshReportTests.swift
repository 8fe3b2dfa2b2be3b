import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import IPMTestSupport
import Testing

/// `ipm tokens refresh`'s report, the engine's (`UPSTokenRefresher.reports`).
@Suite("Refresh report")
struct RefreshReportTests {
    @Test func everyDueCompanyHasALineSortedByNameAndOneCompanyCanBeForced() async throws {
        try await EngineHarness.run { harness in
            try await harness.optInFully()
            let other = try await harness.services.companies.create(try CompanyName("Zeta Freight"), by: .operator("test"))
            _ = try await harness.services.memberships.grant(.admin, to: harness.admin.id, in: other.id, by: .operator("test"))
            try await harness.optInFully(company: other)
            let early = try await harness.services.companies.create(try CompanyName("Alpha Parcels"), by: .operator("test"))
            _ = try await harness.services.memberships.grant(.admin, to: harness.admin.id, in: early.id, by: .operator("test"))
            try await harness.optInFully(company: early)

            // Nothing is due yet: no lines; a forced refresh of one company is its one line.
            #expect(try await harness.refresher.reports(for: nil, force: false, companies: harness.services.companies).isEmpty)
            let forced = try await harness.refresher.reports(
                for: .name(try CompanyName("Zeta Freight")), force: true, companies: harness.services.companies)
            #expect(forced.map(\.company.id) == [other.id])
            #expect(forced.first?.outcome.metricLabel == "succeeded", "\(forced)")

            // Past every access token's margin: all three are due, reported by name.
            harness.clock.advance(by: 4 * 3600)
            let all = try await harness.refresher.reports(for: nil, force: false, companies: harness.services.companies)
            #expect(all.map(\.company.name.value) == ["Acme Logistics", "Alpha Parcels", "Zeta Freight"])
            #expect(all.allSatisfy { $0.outcome.metricLabel == "succeeded" }, "\(all)")

            await #expect(throws: DomainError.self) {
                _ = try await harness.refresher.reports(
                    for: .name(try CompanyName("Nobody Ltd")), force: false, companies: harness.services.companies)
            }
        }
    }
}
