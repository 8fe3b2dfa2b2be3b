import Foundation

extension SandboxWorld {
    /// `POST /token`: an authorization code for the first token pair of a new grant.
    mutating func redeem(
        code: String, client: AuthenticatedClient, redirectURI: String, verifier: String?, now: Date
    ) -> Result<IssuedTokens, ExchangeRefusal> {
        guard var record = codes[code] else { return refuseCode() }
        if let grantID = record.grantID {
            // A code presented twice voids what it started (RFC 6749 §4.1.2).
            void(grant: grantID)
            return refuseCode()
        }
        guard record.request.client.clientID == client.clientID else { return refuseCode() }
        if record.request.codeChallenge == nil, client.isPublic {
            return .failure(.invalidClient)
        }
        guard now < record.expiresAt, record.request.redirectURI == redirectURI else { return refuseCode() }
        if let challenge = record.request.codeChallenge {
            guard let verifier, PKCE.challenge(for: verifier) == challenge else { return refuseCode() }
        }
        let issued = startGrant(code: &record, isPublicClient: client.isPublic, now: now)
        codes[code] = record
        count(.codesRedeemed)
        return .success(issued)
    }

    private mutating func refuseCode() -> Result<IssuedTokens, ExchangeRefusal> {
        count(.codesRefused)
        return .failure(.invalidCode)
    }

    /// `POST /refresh` (HTTP Basic only): a single-use refresh token for a new pair. A consumed token
    /// presented again is refused and voids the whole grant.
    mutating func refresh(token: String, client: AuthenticatedClient, now: Date) -> Result<IssuedTokens, ExchangeRefusal> {
        guard var record = refreshTokens[token], var grant = grants[record.grantID], grant.clientID == client.clientID else {
            return refuseRefresh(.unknown)
        }
        if record.consumed {
            count(.refreshTokenReuse)
            void(grant: grant.id)
            return refuseRefresh(.reused)
        }
        if grant.voided { return refuseRefresh(.voided) }
        if now >= record.expiresAt { return refuseRefresh(.expired) }
        record.consumed = true
        refreshTokens[token] = record
        grant.refreshCount += 1
        grants[grant.id] = grant
        count(.refreshesServed)
        return .success(issueTokens(for: grant, now: now))
    }

    private mutating func refuseRefresh(_ reason: RefreshRefusalReason) -> Result<IssuedTokens, ExchangeRefusal> {
        count(.refreshesRefused)
        count(reason.counter)
        return .failure(.invalidRefreshToken(reason))
    }
}

/// Who called `/token` or `/refresh`: with the client secret (HTTP Basic), or (`/token`
/// only) as a public client naming itself with `client_id`, which PKCE must then back up.
struct AuthenticatedClient {
    let clientID: String
    let isPublic: Bool
}

enum ExchangeRefusal: Error, Equatable {
    case invalidClient
    case invalidCode
    case invalidRefreshToken(RefreshRefusalReason)
}

enum RefreshRefusalReason: Equatable {
    case reused, expired, voided, unknown

    var counter: SandboxCounter {
        switch self {
        case .reused: .refreshesRefusedReused
        case .expired: .refreshesRefusedExpired
        case .voided: .refreshesRefusedVoided
        case .unknown: .refreshesRefusedUnknown
        }
    }
}
