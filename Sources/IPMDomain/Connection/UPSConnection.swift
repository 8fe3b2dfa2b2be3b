public import Foundation

/// A company's link to UPS: its status and the facts an admin sees about it. The tokens
/// themselves live only encrypted in storage, never in this value.
public struct UPSConnection: Hashable, Sendable {
    public let companyID: CompanyID
    public private(set) var status: ConnectionStatus
    /// The admin whose opt-in the current (or last) authorization came from.
    public private(set) var authorizedBy: AdminID?
    public private(set) var authorizedAt: Date?
    public private(set) var accessTokenExpiresAt: Date?
    public private(set) var refreshTokenExpiresAt: Date?
    /// Set while `status` is `.reauthorizationRequired`.
    public private(set) var reauthorizationMessage: String?
    public private(set) var updatedAt: Date?
    /// How refreshes have been going; reset by every success and every change of status.
    public private(set) var refreshHealth: RefreshHealth
    /// When UPS last rotated the pair by a refresh (not the opt-in).
    public private(set) var lastRefreshedAt: Date?
    /// Set while `status` is `.blocked`: what UPS said, in plain words.
    public private(set) var blockedReason: String?
    public private(set) var blockedAt: Date?
    /// What the company's admins were told about its health, so each change is told once.
    public private(set) var announcements: HealthAnnouncements

    /// A company that never opted in.
    public static func notConnected(_ companyID: CompanyID) -> UPSConnection {
        UPSConnection(companyID: companyID, status: .notConnected)
    }

    /// Rebuilds a stored connection; only repositories should need this.
    public init(
        companyID: CompanyID, status: ConnectionStatus, authorizedBy: AdminID? = nil, authorizedAt: Date? = nil,
        accessTokenExpiresAt: Date? = nil, refreshTokenExpiresAt: Date? = nil,
        reauthorizationMessage: String? = nil, updatedAt: Date? = nil, refreshHealth: RefreshHealth = .healthy,
        lastRefreshedAt: Date? = nil, blockedReason: String? = nil, blockedAt: Date? = nil, announcements: HealthAnnouncements = HealthAnnouncements()
    ) {
        self.companyID = companyID
        self.status = status
        self.authorizedBy = authorizedBy
        self.authorizedAt = authorizedAt
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.reauthorizationMessage = reauthorizationMessage
        self.updatedAt = updatedAt
        self.refreshHealth = refreshHealth
        self.lastRefreshedAt = lastRefreshedAt
        self.blockedReason = blockedReason
        self.blockedAt = blockedAt
        self.announcements = announcements
    }

    /// Whether refreshes are not working right now: blocked by UPS, or failing transiently.
    public var isFailing: Bool {
        status == .blocked || (status == .authenticated && refreshHealth.consecutiveFailures > 0)
    }
}

/// What a company's admins were last told about its connection's health; kept across the
/// resets of `RefreshHealth`, so that one state change is announced once and a flapping
/// connection at most once per `RefreshPolicy.announcementPeriod`.
public struct HealthAnnouncements: Hashable, Sendable {
    /// The trouble announced and not yet followed by `recovered`.
    public enum Trouble: String, Sendable, Hashable {
        case refreshFailing = "refresh_failing"
        case blocked
    }

    public var trouble: Trouble?
    /// When the last trouble was announced (the rate limit counts from it).
    public var troubleAnnouncedAt: Date?
    /// When `refresh_token_expiring` was announced for the current refresh token's end.
    public var expiryWarnedAt: Date?
    /// Whether the last refresh moved the refresh token's end later (`nil`: no refresh since the opt-in).
    public var refreshTokenRenews: Bool?

    public init(trouble: Trouble? = nil, troubleAnnouncedAt: Date? = nil, expiryWarnedAt: Date? = nil, refreshTokenRenews: Bool? = nil) {
        self.trouble = trouble
        self.troubleAnnouncedAt = troubleAnnouncedAt
        self.expiryWarnedAt = expiryWarnedAt
        self.refreshTokenRenews = refreshTokenRenews
    }

    /// Whether a new trouble may be announced at `now`: none is standing, and the last one is
    /// at least `period` ago — or `trouble` is a block after a mere failure (an escalation).
    public func mayAnnounce(_ trouble: Trouble, at now: Date, period: TimeInterval) -> Bool {
        if self.trouble == trouble { return false }
        if self.trouble == .refreshFailing && trouble == .blocked { return true }
        if self.trouble != nil { return false }
        guard let last = troubleAnnouncedAt else { return true }
        return now.timeIntervalSince(last) >= period
    }
}

/// The expiry facts of a token pair UPS issued (the values come from UPS's response).
public struct TokenLifetimes: Hashable, Sendable {
    public let accessTokenExpiresAt: Date
    public let refreshTokenExpiresAt: Date?

    public init(accessTokenExpiresAt: Date, refreshTokenExpiresAt: Date?) {
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
    }
}

/// The result of a state change: the new connection and the audit event that records it.
/// Repositories store both in one transaction.
public struct ConnectionTransition: Sendable {
    public let connection: UPSConnection
    public let event: AuditEvent?
    /// Whether the event is also told to the company's admins (notification and webhook);
    /// `false` when the rate limit holds a health announcement back (it is still audited).
    public let notifies: Bool

    init(connection: UPSConnection, event: AuditEvent?, notifies: Bool = true) {
        self.connection = connection
        self.event = event
        self.notifies = notifies
    }
}

// MARK: - The state machine

extension UPSConnection {
    /// An admin completed the opt-in. Allowed from every status: opting in while
    /// authenticated replaces the tokens.
    public func optIn(
        by admin: Admin, at now: Date, lifetimes: TokenLifetimes, eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard !admin.isDisabled else { throw .adminDisabled }
        var next = self
        next.status = .authenticated
        next.authorizedBy = admin.id
        next.authorizedAt = now
        next.accessTokenExpiresAt = lifetimes.accessTokenExpiresAt
        next.refreshTokenExpiresAt = lifetimes.refreshTokenExpiresAt
        next.reauthorizationMessage = nil
        next.updatedAt = now
        next.refreshHealth = .healthy
        next.lastRefreshedAt = nil
        next.blockedReason = nil
        next.blockedAt = nil
        // A new grant: its refresh token's end is new, and nothing is standing any more.
        next.announcements = HealthAnnouncements(troubleAnnouncedAt: announcements.troubleAnnouncedAt)
        let detail: String
        switch status {
        case .authenticated: detail = "Opted in again; the previous UPS authorization was replaced."
        case .blocked: detail = "Opted in again while UPS was blocking the merchant; the previous UPS authorization was replaced."
        case .reauthorizationRequired: detail = "Opted in again after re-authorization was required."
        case .notConnected, .optedOut: detail = "Opted in to UPS Online Tools (OAuth)."
        }
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(
                id: eventID, companyID: companyID, actor: .admin(admin.id, admin.signInName), occurredAt: now, action: .optedIn, detail: detail)
        )
    }

    /// An admin opted out: the tokens are destroyed (UPS has no revoke endpoint).
    public func optOut(by admin: Admin, at now: Date, eventID: AuditEventID = AuditEventID()) throws(DomainError) -> ConnectionTransition {
        guard !admin.isDisabled else { throw .adminDisabled }
        guard status == .authenticated || status == .reauthorizationRequired || status == .blocked else {
            throw .illegalTransition(from: status.description, action: "opt out")
        }
        var next = self
        next.status = .optedOut
        next.clearTokens()
        next.refreshHealth = .healthy
        next.reauthorizationMessage = nil
        next.announcements.trouble = nil
        next.updatedAt = now
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(
                id: eventID, companyID: companyID, actor: .admin(admin.id, admin.signInName), occurredAt: now, action: .optedOut,
                detail: "Opted out of UPS Online Tools (OAuth); the tokens were destroyed.")
        )
    }

    /// UPS refused the tokens: the company needs an admin to opt in again.
    public func requireReauthorization(
        _ reason: ReauthorizationReason, by actor: AuditActor, at now: Date, eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated || status == .blocked else {
            throw .illegalTransition(from: status.description, action: "require re-authorization")
        }
        var next = self
        next.status = .reauthorizationRequired
        next.clearTokens()
        next.refreshHealth = .healthy
        next.reauthorizationMessage = reason.message
        // Re-authorization is the news now; a later opt-in starts the health story afresh.
        next.announcements.trouble = nil
        next.updatedAt = now
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(
                id: eventID, companyID: companyID, actor: actor, occurredAt: now, action: .reauthorizationRequired, detail: reason.message)
        )
    }

    /// A refresh rotated the tokens. Not a change of status while healthy, so not an audit
    /// event; after announced failures, or out of a block, it is `recovered`.
    public func refreshed(
        _ lifetimes: TokenLifetimes, at now: Date, policy: RefreshPolicy = .standard, eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated || status == .blocked else {
            throw .illegalTransition(from: status.description, action: "refresh the tokens")
        }
        var next = self
        next.status = .authenticated
        next.accessTokenExpiresAt = lifetimes.accessTokenExpiresAt
        next.refreshTokenExpiresAt = lifetimes.refreshTokenExpiresAt
        next.updatedAt = now
        next.refreshHealth = .healthy
        next.lastRefreshedAt = now
        next.blockedReason = nil
        next.blockedAt = nil
        // A renewed end (UPS's refresh tokens may slide or keep the grant's end): a second of
        // slack for the whole seconds UPS counts in.
        if let old = refreshTokenExpiresAt, let new = lifetimes.refreshTokenExpiresAt {
            let renews = new.timeIntervalSince(old) > 1
            next.announcements.refreshTokenRenews = renews
            if renews { next.announcements.expiryWarnedAt = nil }
        }
        let announced = announcements.trouble
        next.announcements.trouble = nil
        var transition: ConnectionTransition
        if status == .blocked {
            let detail = "UPS answers again: the block on the merchant was lifted and the tokens were renewed; the company is authenticated."
            transition = ConnectionTransition(
                connection: next,
                event: AuditEvent(
                    id: eventID, companyID: companyID, actor: .system("token refresh"), occurredAt: now, action: .recovered, detail: detail),
                notifies: announced != nil
            )
        } else if announced == .refreshFailing {
            let detail =
                "The token refresh works again after \(refreshHealth.consecutiveFailures) failed attempt\(refreshHealth.consecutiveFailures == 1 ? "" : "s"); the company stays authenticated."
            transition = ConnectionTransition(
                connection: next,
                event: AuditEvent(
                    id: eventID, companyID: companyID, actor: .system("token refresh"), occurredAt: now, action: .recovered, detail: detail)
            )
        } else {
            transition = ConnectionTransition(connection: next, event: nil)
        }
        if transition.event == nil, let warning = try? next.warnRefreshTokenExpiring(at: now, policy: policy, eventID: eventID) {
            transition = warning
        }
        return transition
    }

    /// UPS answered 403 "Blocked Merchant": the tokens are kept, the company is `blocked` with
    /// UPS's words, and the next attempt waits `policy.blockedRetryInterval`. Entering the
    /// block is a change of status (audited; announced unless the rate limit holds it back);
    /// another 403 while blocked only moves the next attempt.
    public func block(
        _ detail: String, by actor: AuditActor, at now: Date, policy: RefreshPolicy, random: any RandomSource, eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated || status == .blocked else {
            throw .illegalTransition(from: status.description, action: "record a block by UPS")
        }
        var next = self
        var health = next.refreshHealth
        let today = RefreshPolicy.day(of: now)
        health.consecutiveFailures += 1
        health.failuresToday = health.failureDay == today ? health.failuresToday + 1 : 1
        health.failureDay = today
        health.lastError = detail
        health.nextAttemptAt = now.addingTimeInterval(policy.blockedRetry(random: random))
        next.refreshHealth = health
        guard status == .authenticated else {
            next.blockedReason = detail
            // Still blocked: nothing new to tell, unless the authorization now runs out meanwhile.
            return (try? next.warnRefreshTokenExpiring(at: now, policy: policy, eventID: eventID))
                ?? ConnectionTransition(connection: next, event: nil)
        }
        next.status = .blocked
        next.blockedReason = detail
        next.blockedAt = now
        next.updatedAt = now
        let announce = announcements.mayAnnounce(.blocked, at: now, period: policy.announcementPeriod)
        if announce {
            next.announcements.trouble = .blocked
            next.announcements.troubleAnnouncedAt = now
        }
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(id: eventID, companyID: companyID, actor: actor, occurredAt: now, action: .blocked, detail: detail),
            notifies: announce
        )
    }

    /// The refresh token ends within `policy.expiryWarningWindow` and no refresh will renew it
    /// (the last one did not move its end, or refreshes are not working): announced once per end.
    /// Throws `illegalTransition` when there is nothing to announce.
    public func warnRefreshTokenExpiring(
        at now: Date, policy: RefreshPolicy, eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated || status == .blocked, let end = refreshTokenExpiresAt, end > now,
            end.timeIntervalSince(now) <= policy.expiryWarningWindow, announcements.expiryWarnedAt == nil,
            announcements.refreshTokenRenews == false || isFailing
        else {
            throw .illegalTransition(from: status.description, action: "warn that the refresh token expires")
        }
        var next = self
        next.announcements.expiryWarnedAt = now
        let detail =
            "The UPS authorization ends at \(end.formatted(.iso8601)) and refreshing cannot extend it; an admin must opt in again before then to keep the company connected."
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(
                id: eventID, companyID: companyID, actor: .system("token refresh"), occurredAt: now, action: .refreshTokenExpiring, detail: detail)
        )
    }

    /// A refresh failed for a reason worth retrying: the status stays, the failure is
    /// recorded, and the next attempt waits (backoff with jitter; the daily budget counts it;
    /// while blocked, the long blocked interval). The `failingThreshold`-th consecutive failure
    /// is `refresh_failing`, told to the admins once (unless the rate limit holds it back).
    public func refreshFailed(
        _ detail: String, by actor: AuditActor, at now: Date, policy: RefreshPolicy, random: any RandomSource,
        eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated || status == .blocked else {
            throw .illegalTransition(from: status.description, action: "record a failed refresh")
        }
        var next = self
        let today = RefreshPolicy.day(of: now)
        var health = refreshHealth
        health.consecutiveFailures += 1
        health.failuresToday = health.failureDay == today ? health.failuresToday + 1 : 1
        health.failureDay = today
        health.lastError = detail
        health.nextAttemptAt = now.addingTimeInterval(
            status == .blocked ? policy.blockedRetry(random: random) : policy.backoff(afterFailures: health.consecutiveFailures, random: random)
        )
        next.refreshHealth = health
        var action = AuditAction.refreshFailed
        var notifies = false
        if status == .authenticated, health.consecutiveFailures >= policy.failingThreshold,
            announcements.mayAnnounce(.refreshFailing, at: now, period: policy.announcementPeriod)
        {
            action = .refreshFailing
            notifies = true
            next.announcements.trouble = .refreshFailing
            next.announcements.troubleAnnouncedAt = now
        }
        let transition = ConnectionTransition(
            connection: next,
            event: AuditEvent(
                id: eventID, companyID: companyID, actor: actor, occurredAt: now, action: action,
                detail: action == .refreshFailing ? "The token refresh failed \(health.consecutiveFailures) times in a row. \(detail)" : detail),
            notifies: notifies
        )
        if !notifies, let warning = try? next.warnRefreshTokenExpiring(at: now, policy: policy, eventID: eventID) {
            // The expiry warning is the news; this attempt's failure is in `lastError`.
            return warning
        }
        return transition
    }

    /// Whether the access token expires within the policy's margin of `now` (or its expiry
    /// is unknown), or the refresh token would end first — and no backoff or exhausted daily
    /// budget holds refreshes back.
    /// While blocked, the next attempt is due when its wait is over.
    public func isDueForRefresh(at now: Date, policy: RefreshPolicy) -> Bool {
        if status == .blocked { return refreshHealth.nextAttemptAt.map { $0 <= now } ?? true }
        guard status == .authenticated, !refreshHealth.holdsBack(at: now, policy: policy) else { return false }
        guard let expiry = accessTokenExpiresAt else { return true }
        let issued = updatedAt ?? authorizedAt ?? now
        let margin = policy.margin.seconds(forLifetime: expiry.timeIntervalSince(issued))
        if expiry.timeIntervalSince(now) <= margin { return true }
        // A refresh token that ends before the access token would: renew while it still works.
        if let refreshExpiry = refreshTokenExpiresAt, refreshExpiry.timeIntervalSince(now) <= margin { return true }
        return false
    }

    /// Whether stored tokens exist for this status; repositories destroy them otherwise.
    /// A blocked company keeps them: the block is UPS's, not a refusal of the grant.
    public var holdsTokens: Bool { status == .authenticated || status == .blocked }

    private mutating func clearTokens() {
        accessTokenExpiresAt = nil
        refreshTokenExpiresAt = nil
        lastRefreshedAt = nil
        blockedReason = nil
        blockedAt = nil
        announcements.expiryWarnedAt = nil
        announcements.refreshTokenRenews = nil
    }
}
