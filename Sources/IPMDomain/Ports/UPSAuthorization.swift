/// The opt-in as the fronts use it. `IPMOAuth` implements it.
public protocol UPSOptInFlow: Sendable {
    /// Starts an opt-in of the company for the admin, bound to `session`; the result holds
    /// the UPS authorization URL to send the browser to.
    func start(_ company: CompanyReference, by admin: Admin, session: SessionBinding) async throws -> OptInStart
    /// Completes an opt-in from the callback's parameters. Throws `OptInFailure` (nothing
    /// changed) or an infrastructure error.
    func complete(_ callback: OptInCallback, session: SessionBinding) async throws -> OptInCompletion
}

/// Keeping companies' UPS tokens fresh. `IPMOAuth` implements it.
public protocol UPSTokenRefreshing: Sendable {
    /// Refreshes one company's tokens when due (or always, with `force`).
    func refresh(_ company: CompanyID, force: Bool) async -> RefreshOutcome
    /// The same; with `.skipIfLocked` a refresh of this company already under way (its row
    /// lock or its lease, on any instance) is `.busy` at once, instead of being waited for
    /// and followed by a second refresh.
    func refresh(_ company: CompanyID, force: Bool, lock: LockWaitPolicy) async -> RefreshOutcome
    /// Refreshes every due company once (at most `limit`), skipping those another instance holds.
    func refreshDue(limit: Int) async throws -> [(CompanyID, RefreshOutcome)]
}
