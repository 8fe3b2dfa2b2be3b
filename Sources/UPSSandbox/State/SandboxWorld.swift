import Foundation

/// Everything the sandbox knows, mutated only under `Sandbox`'s lock. The methods take the
/// current time as an argument so each operation sees one instant.
struct SandboxWorld {
    var clients: [String: RegisteredClient] = [:]
    var users: [UPSUser] = []
    var lifetimes: Lifetimes
    var faults: FaultState
    var tokenResponse: TokenResponseFields
    var authorizeFault: AuthorizeFault?
    var counters = SandboxCounters()
    /// `/refresh` calls in progress now (for `refreshes_in_flight_peak`).
    var refreshesInFlight = 0

    var codes: [String: AuthorizationCodeRecord] = [:]
    var signIns: [String: PendingSignIn] = [:]
    var grants: [Int: Grant] = [:]
    var accessTokens: [String: AccessTokenRecord] = [:]
    var refreshTokens: [String: RefreshTokenRecord] = [:]
    private var nextGrantID = 1
    private var changesSincePurge = 0

    /// How long a user may take between the two sign-in pages.
    static let signInLifetime: TimeInterval = 15 * 60

    init(configuration: SandboxConfiguration) {
        for client in configuration.clients { clients[client.clientID] = client }
        users = configuration.users
        lifetimes = configuration.lifetimes
        faults = FaultState(configuration: configuration.faults)
        tokenResponse = configuration.tokenResponse
        authorizeFault = configuration.authorizeFault
    }

    func user(named emailOrUsername: String) -> UPSUser? {
        users.first { $0.isNamed(emailOrUsername) }
    }

    mutating func count(_ counter: SandboxCounter, _ amount: Int = 1) {
        counters.add(counter, amount)
    }

    // MARK: Grants and tokens

    mutating func startGrant(code: inout AuthorizationCodeRecord, isPublicClient: Bool, now: Date) -> IssuedTokens {
        let grant = Grant(
            id: nextGrantID, clientID: code.request.client.clientID, username: code.username,
            scope: code.request.scope, isPublicClient: isPublicClient,
            endsAt: lifetimes.grantSeconds.map { now + TimeInterval($0) }
        )
        nextGrantID += 1
        grants[grant.id] = grant
        code.grantID = grant.id
        return issueTokens(for: grant, now: now)
    }

    mutating func issueTokens(for grant: Grant, now: Date) -> IssuedTokens {
        purgeExpiredNowAndThen(now: now)
        // A grant with an end: the refresh token gets what is left of it, in whole seconds.
        var issuedLifetimes = lifetimes
        if let end = grant.endsAt {
            issuedLifetimes.refreshTokenSeconds = max(0, min(lifetimes.refreshTokenSeconds, Int(end.timeIntervalSince(now).rounded(.down))))
        }
        let issued = IssuedTokens(
            clientID: grant.clientID, accessToken: OpaqueToken.make(), refreshToken: OpaqueToken.make(),
            scope: grant.scope, issuedAt: now, lifetimes: issuedLifetimes, refreshCount: grant.refreshCount, fields: tokenResponse
        )
        accessTokens[issued.accessToken] = AccessTokenRecord(grantID: grant.id, expiresAt: now + TimeInterval(lifetimes.accessTokenSeconds))
        refreshTokens[issued.refreshToken] = RefreshTokenRecord(
            grantID: grant.id,
            expiresAt: grant.endsAt.map { min($0, now + TimeInterval(lifetimes.refreshTokenSeconds)) } ?? now
                + TimeInterval(lifetimes.refreshTokenSeconds)
        )
        count(.tokensIssued)
        return issued
    }

    mutating func void(grant id: Int) {
        guard grants[id]?.voided == false else { return }
        grants[id]?.voided = true
        count(.grantsVoided)
    }

    func grant(id: Int) -> Grant? { grants[id] }

    /// Whether `token` is a live access token (known, unexpired, of a grant not voided) of an
    /// app that has `api`.
    func accessTokenIsValid(_ token: String, for api: String, now: Date) -> Bool {
        guard let record = accessTokens[token], now < record.expiresAt, let grant = grants[record.grantID], !grant.voided else { return false }
        return clients[grant.clientID]?.hasAPI(api) ?? false
    }

    // MARK: Memory

    /// Drops what has expired, every few hundred changes, so long benchmarks stay bounded.
    /// A consumed refresh token is kept until it would have expired, so a reuse is still
    /// recognised as one; after that it is simply unknown.
    private mutating func purgeExpiredNowAndThen(now: Date) {
        changesSincePurge += 1
        guard changesSincePurge >= 512 else { return }
        changesSincePurge = 0
        codes = codes.filter { now < $0.value.expiresAt }
        signIns = signIns.filter { now < $0.value.expiresAt }
        accessTokens = accessTokens.filter { now < $0.value.expiresAt }
        refreshTokens = refreshTokens.filter { now < $0.value.expiresAt }
    }
}

/// A freshly issued token pair and what the token response says about it.
struct IssuedTokens: Sendable {
    let clientID: String
    let accessToken: String
    let refreshToken: String
    let scope: String
    let issuedAt: Date
    let lifetimes: Lifetimes
    let refreshCount: Int
    /// Which optional fields its answer carries.
    let fields: TokenResponseFields
}
