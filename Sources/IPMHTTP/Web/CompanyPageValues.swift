import Foundation
import IPMDomain

/// What the company templates show of a company and of its activity.
enum CompanyPageValues {
    static func values(of overview: CompanyOverview) -> [String: Any] {
        let connection = overview.connection
        var values: [String: Any] = [
            "id": overview.company.id.description, "name": overview.company.name.value,
            "statusKey": connection.status.rawValue, "statusTitle": connection.status.title,
            "authenticated": connection.status == .authenticated, "blocked": connection.status == .blocked,
            "holdsTokens": connection.holdsTokens, "role": overview.role.rawValue,
            "canManage": AccessPolicy.allows(overview.role, .optIn),
        ]
        values["reason"] = connection.status == .reauthorizationRequired ? connection.reauthorizationMessage : nil
        values["authorizedAt"] = connection.holdsTokens ? connection.authorizedAt.map(Pages.display) : nil
        values["blockedReason"] = connection.status == .blocked ? connection.blockedReason : nil
        values["blockedAt"] = connection.status == .blocked ? connection.blockedAt.map(Pages.display) : nil
        if connection.status == .reauthorizationRequired {
            values["optInLink"] = "\(OptInLink.path)?company=\(overview.company.id)"
        }
        if connection.holdsTokens {
            let health = connection.refreshHealth
            let (key, text): (String, String) =
                connection.status == .blocked
                ? ("blocked", "Blocked by UPS")
                : health.consecutiveFailures > 0
                    ? ("failing", "Failing: \(health.consecutiveFailures) failed refresh\(health.consecutiveFailures == 1 ? "" : "es") in a row")
                    : ("ok", "OK")
            var facts: [String: Any] = ["healthKey": key, "healthText": text, "failures": health.consecutiveFailures]
            facts["lastRefreshedAt"] = connection.lastRefreshedAt.map(Pages.display)
            facts["lastError"] = health.lastError
            facts["nextAttemptAt"] = health.nextAttemptAt.map(Pages.display)
            facts["accessTokenExpiresAt"] = connection.accessTokenExpiresAt.map(Pages.display)
            facts["refreshTokenExpiresAt"] = connection.refreshTokenExpiresAt.map(Pages.display)
            values["health"] = facts
        }
        values["optIn"] = overview.optIn?.message
        values["optInState"] = overview.optIn?.state.rawValue
        return values
    }

    static func values(of event: AuditEvent) -> [String: Any] {
        [
            "iso": event.occurredAt.formatted(.iso8601), "when": Pages.display(event.occurredAt),
            "actor": event.actor.description, "action": event.action.title, "detail": event.detail,
        ]
    }
}
