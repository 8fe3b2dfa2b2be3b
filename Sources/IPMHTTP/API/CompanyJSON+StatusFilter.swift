import Foundation
import IPMAPIModels
import IPMDomain

extension CompanyJSON {
    /// `?status=` of `GET /api/v1/companies`: connection statuses and `failing`, comma-separated
    /// or repeated; a company matches any of them. `nil` when a value is none of these.
    static func statusFilter(_ values: [Substring]) -> ((CompanyOverview) -> Bool)? {
        var statuses: Set<ConnectionStatus> = []
        var failing = false
        for value in values.flatMap({ $0.split(separator: ",") }) {
            let word = value.trimmingCharacters(in: .whitespaces)
            if word == "failing" {
                failing = true
            } else if let status = ConnectionStatus(rawValue: word) {
                statuses.insert(status)
            } else {
                return nil
            }
        }
        if statuses.isEmpty && !failing { return { _ in true } }
        return { statuses.contains($0.connection.status) || (failing && $0.connection.isFailing) }
    }
}
