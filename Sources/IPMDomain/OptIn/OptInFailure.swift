/// Why an opt-in could not be completed. Every case changes nothing about the company; each
/// reads as a sentence an admin understands.
public enum OptInFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The callback carried no `state`.
    case missingState
    /// No opt-in was started with this `state` (or it was cleaned up long ago).
    case unknownState
    /// The opt-in was started more than ten minutes ago.
    case expired
    /// This opt-in was already completed or failed; a callback works once.
    case alreadyUsed
    /// The opt-in was started in another session (another browser or admin).
    case foreignSession
    /// UPS sent the browser back with an error, e.g. the UPS.com user cancelled.
    case deniedAtUPS(error: String, description: String?)
    /// The callback carried no authorization code.
    case missingCode
    /// The admin may no longer opt in this company (removed, demoted or disabled meanwhile).
    case notAllowed(String)
    /// UPS did not exchange the code for tokens.
    case exchangeFailed(AuthorizationServerError)

    public var description: String {
        switch self {
        case .missingState:
            "The response from UPS is missing its state parameter, so it cannot be matched to an opt-in. Nothing was changed; start the opt-in again."
        case .unknownState:
            "This response from UPS does not belong to any opt-in started here. Nothing was changed; start the opt-in again."
        case .expired:
            "This opt-in was started more than 10 minutes ago and has expired. Nothing was changed; start the opt-in again."
        case .alreadyUsed:
            "This opt-in link was already used. Nothing was changed; start the opt-in again if the company is not authenticated."
        case .foreignSession:
            "This opt-in was started in another session. Only the admin who started it, signed in where it was started, can complete it. Nothing was changed."
        case .deniedAtUPS(let error, let detail):
            if error == "access_denied" {
                "The opt-in was cancelled at UPS. Nothing was changed."
            } else {
                "UPS did not authorize the opt-in (\((detail ?? error).printable)). Nothing was changed."
            }
        case .missingCode:
            "The response from UPS is missing its authorization code. Nothing was changed; start the opt-in again."
        case .notAllowed(let reason):
            "The opt-in cannot be completed: \(reason). Nothing was changed."
        case .exchangeFailed(let error):
            "UPS did not issue tokens for this opt-in (\(error)). Nothing was changed; start the opt-in again."
        }
    }
}
