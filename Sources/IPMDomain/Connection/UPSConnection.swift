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

    /// A company that never opted in.
    public static func notConnected(_ companyID: CompanyID) -> UPSConnection {
        UPSConnection(companyID: companyID, status: .notConnected)
    }

    /// Rebuilds a stored connection; only repositories should need this.
    public init(
        companyID: CompanyID, status: ConnectionStatus, authorizedBy: AdminID? = nil, authorizedAt: Date? = nil,
        accessTokenExpiresAt: Date? = nil, refreshTokenExpiresAt: Date? = nil,
        reauthorizationMessage: String? = nil, updatedAt: Date? = nil, refreshHealth: RefreshHealth = .healthy
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
}

// MARK: - The state machine

extension UPSConnection {
    /// An admin completed the opt-in. Allowed from every status: opting in while
    /// authenticated replaces the tokens.
    public func optIn(by admin: Admin, at now: Date, lifetimes: TokenLifetimes, eventID: AuditEventID = AuditEventID()) throws(DomainError) -> ConnectionTransition {
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
        let detail: String
        switch status {
        case .authenticated: detail = "Opted in again; the previous UPS authorization was replaced."
        case .reauthorizationRequired: detail = "Opted in again after re-authorization was required."
        case .notConnected, .optedOut: detail = "Opted in to UPS Online Tools (OAuth)."
        }
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(id: eventID, companyID: companyID, actor: .admin(admin.id, admin.signInName), occurredAt: now, action: .optedIn, detail: detail)
        )
    }

    /// An admin opted out: the tokens are destroyed (UPS has no revoke endpoint).
    public func optOut(by admin: Admin, at now: Date, eventID: AuditEventID = AuditEventID()) throws(DomainError) -> ConnectionTransition {
        guard !admin.isDisabled else { throw .adminDisabled }
        guard status == .authenticated || status == .reauthorizationRequired else {
            throw .illegalTransition(from: status.description, action: "opt out")
        }
        var next = self
        next.status = .optedOut
        next.clearTokens()
        next.refreshHealth = .healthy
        next.reauthorizationMessage = nil
        next.updatedAt = now
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(id: eventID, companyID: companyID, actor: .admin(admin.id, admin.signInName), occurredAt: now, action: .optedOut, detail: "Opted out of UPS Online Tools (OAuth); the tokens were destroyed.")
        )
    }

    /// UPS refused the tokens: the company needs an admin to opt in again.
    public func requireReauthorization(_ reason: ReauthorizationReason, by actor: AuditActor, at now: Date, eventID: AuditEventID = AuditEventID()) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated else {
            throw .illegalTransition(from: status.description, action: "require re-authorization")
        }
        var next = self
        next.status = .reauthorizationRequired
        next.clearTokens()
        next.refreshHealth = .healthy
        next.reauthorizationMessage = reason.message
        next.updatedAt = now
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(id: eventID, companyID: companyID, actor: actor, occurredAt: now, action: .reauthorizationRequired, detail: reason.message)
        )
    }

    /// A refresh rotated the tokens. Not a change of status, so not an audit event.
    public func refreshed(_ lifetimes: TokenLifetimes, at now: Date) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated else {
            throw .illegalTransition(from: status.description, action: "refresh the tokens")
        }
        var next = self
        next.accessTokenExpiresAt = lifetimes.accessTokenExpiresAt
        next.refreshTokenExpiresAt = lifetimes.refreshTokenExpiresAt
        next.updatedAt = now
        next.refreshHealth = .healthy
        return ConnectionTransition(connection: next, event: nil)
    }

    /// A refresh failed for a reason worth retrying: the status stays, the failure is
    /// recorded, and the next attempt waits (backoff with jitter; the daily budget counts it).
    public func refreshFailed(
        _ detail: String, by actor: AuditActor, at now: Date, policy: RefreshPolicy, random: any RandomSource,
        eventID: AuditEventID = AuditEventID()
    ) throws(DomainError) -> ConnectionTransition {
        guard status == .authenticated else {
            throw .illegalTransition(from: status.description, action: "record a failed refresh")
        }
        var next = self
        let today = RefreshPolicy.day(of: now)
        var health = refreshHealth
        health.consecutiveFailures += 1
        health.failuresToday = health.failureDay == today ? health.failuresToday + 1 : 1
        health.failureDay = today
        health.lastError = detail
        health.nextAttemptAt = now.addingTimeInterval(policy.backoff(afterFailures: health.consecutiveFailures, random: random))
        next.refreshHealth = health
        return ConnectionTransition(
            connection: next,
            event: AuditEvent(id: eventID, companyID: companyID, actor: actor, occurredAt: now, action: .refreshFailed, detail: detail)
        )
    }

    /// Whether the access token expires within the policy's margin of `now` (or its expiry
    /// is unknown), or the refresh token would end first — and no backoff or exhausted daily
    /// budget holds refreshes back.
    public func isDueForRefresh(at now: Date, policy: RefreshPolicy) -> Bool {
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
    public var holdsTokens: Bool { status == .authenticated }

    private mutating func clearTokens() {
        accessTokenExpiresAt = nil
        refreshTokenExpiresAt = nil
    }
}
