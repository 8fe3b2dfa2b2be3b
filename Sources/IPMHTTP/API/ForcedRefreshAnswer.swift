import Foundation
import HTTPTypes
import IPMDomain

/// How the API and the company page answer a forced refresh: an HTTP status, a short word
/// for programs, and a sentence for people.
struct ForcedRefreshAnswer: Sendable {
    let status: HTTPResponse.Status
    let outcome: String
    let message: String
    var retryAfter: Int?
    var accessTokenExpiresAt: Date?

    var succeeded: Bool { status == .ok }

    init(_ result: ForcedRefreshResult, interval: TimeInterval) {
        switch result {
        case .limited(let seconds):
            self.init(
                .tooManyRequests, "limited",
                "The company's tokens were refreshed on demand less than \(Int(interval)) seconds ago; try again in \(seconds) second\(seconds == 1 ? "" : "s"). Nothing was sent to UPS.",
                retryAfter: seconds
            )
        case .attempted(let outcome):
            self.init(outcome)
        }
    }

    private init(_ outcome: RefreshOutcome) {
        switch outcome {
        case .refreshed(let expiry):
            self.init(.ok, "refreshed", "Refreshed: UPS issued a new token pair; the access token expires at \(expiry.formatted(.iso8601)).")
            accessTokenExpiresAt = expiry
        case .busy:
            self.init(
                .conflict, "busy",
                "Another refresh of this company's tokens is under way (the refresh worker, another IPM instance or another request); it renews them, so nothing more was sent to UPS."
            )
        case .notAuthenticated(let status):
            self.init(
                .conflict, "not_authenticated",
                "Nothing to refresh: the company's UPS connection is \(status.title). An admin of the company must opt in first.")
        case .reauthorizationRequired(let reason):
            self.init(
                .conflict, "reauthorization_required", "UPS did not renew the tokens: \(reason.message) An admin of the company must opt in again.")
        case .transientFailure:
            self.init(
                .serviceUnavailable, "transient_failure",
                "UPS could not be reached or answered with a temporary error; the connection stays authenticated and the refresh worker tries again. (\(outcome.description))",
                retryAfter: 30)
        case .blocked:
            // Opting in again cannot lift UPS's block: the tokens stay and the worker retries slowly.
            self.init(.serviceUnavailable, "blocked", outcome.description.capitalizedFirst + ".")
        case .misconfigured:
            self.init(
                .badGateway, "misconfigured",
                "UPS refused IPM's own client credentials; an operator must check IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET. No company was changed."
            )
        case .storageFailure:
            self.init(
                .internalServerError, "storage_failure",
                "The stored tokens could not be used, so nothing was sent to UPS; an operator should look at the server's log.")
        case .notDue(let expiry):
            self.init(.ok, "not_due", "Not refreshed: the access token expires at \(expiry.formatted(.iso8601)).")
            accessTokenExpiresAt = expiry
        case .backingOff:
            self.init(.serviceUnavailable, "backing_off", outcome.description.capitalizedFirst + ".", retryAfter: 30)
        }
    }

    private init(_ status: HTTPResponse.Status, _ outcome: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.outcome = outcome
        self.message = message
        self.retryAfter = retryAfter
    }
}
