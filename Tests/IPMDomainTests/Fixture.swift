import Foundation
import IPMDomain

/// Small builders shared by the suites; every value here is valid by construction.
enum Fixture {
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    static func admin(_ signInName: String = "alice", disabled: Bool = false) throws -> Admin {
        Admin(signInName: try SignInName(signInName), displayName: signInName, email: nil, isDisabled: disabled, createdAt: epoch)
    }

    static func lifetimes(from start: Date = epoch, accessHours: Double = 4, refreshDays: Double? = 60) -> TokenLifetimes {
        TokenLifetimes(
            accessTokenExpiresAt: start.addingTimeInterval(accessHours * 3600),
            refreshTokenExpiresAt: refreshDays.map { start.addingTimeInterval($0 * 86_400) }
        )
    }

    /// A connection as a repository would load it in `status`, with the fields that status implies.
    static func connection(_ status: ConnectionStatus, company: CompanyID = CompanyID(), authorizedBy: AdminID = AdminID()) -> UPSConnection {
        let earlier = epoch.addingTimeInterval(-86_400)
        let lifetimes = lifetimes(from: earlier)
        switch status {
        case .notConnected:
            return .notConnected(company)
        case .authenticated:
            return UPSConnection(
                companyID: company, status: .authenticated, authorizedBy: authorizedBy, authorizedAt: earlier,
                accessTokenExpiresAt: lifetimes.accessTokenExpiresAt, refreshTokenExpiresAt: lifetimes.refreshTokenExpiresAt,
                updatedAt: earlier
            )
        case .reauthorizationRequired:
            return UPSConnection(
                companyID: company, status: .reauthorizationRequired, authorizedBy: authorizedBy, authorizedAt: earlier,
                reauthorizationMessage: ReauthorizationReason.refreshRefused.message, updatedAt: earlier
            )
        case .optedOut:
            return UPSConnection(companyID: company, status: .optedOut, authorizedBy: authorizedBy, authorizedAt: earlier, updatedAt: earlier)
        case .blocked:
            return UPSConnection(
                companyID: company, status: .blocked, authorizedBy: authorizedBy, authorizedAt: earlier,
                accessTokenExpiresAt: lifetimes.accessTokenExpiresAt, refreshTokenExpiresAt: lifetimes.refreshTokenExpiresAt,
                updatedAt: earlier,
                refreshHealth: RefreshHealth(consecutiveFailures: 1, nextAttemptAt: epoch, lastError: "UPS has blocked the merchant"),
                blockedReason: "UPS has blocked the merchant", blockedAt: earlier,
                announcements: HealthAnnouncements(trouble: .blocked, troubleAnnouncedAt: earlier)
            )
        }
    }

    static let reauthorizationReasons: [ReauthorizationReason] = [.refreshRefused, .refreshTokenExpired, .accessRefused]
}
