import Foundation

extension SandboxWorld {
    /// A new password voids every grant of the user (all their access and refresh tokens),
    /// their unredeemed codes and half-done sign-ins — the seed's warning, made testable.
    /// `nil` when there is no such user.
    mutating func changePassword(username: String, to password: String, now: Date) -> PasswordChange? {
        guard let index = users.firstIndex(where: { $0.username.lowercased() == username.lowercased() }) else { return nil }
        let username = users[index].username
        users[index].password = password
        count(.passwordChanges)

        let voidedGrants = Set(grants.values.filter { $0.username == username && !$0.voided }.map(\.id))
        for id in voidedGrants { void(grant: id) }
        let accessTokens = accessTokens.values.count { voidedGrants.contains($0.grantID) && now < $0.expiresAt }
        let refreshTokens = refreshTokens.values.count { voidedGrants.contains($0.grantID) && !$0.consumed && now < $0.expiresAt }
        let pendingCodes = codes.filter { $0.value.username == username && $0.value.grantID == nil }
        for code in pendingCodes.keys { codes[code] = nil }
        signIns = signIns.filter { $0.value.username != username }
        return PasswordChange(
            username: username, voidedGrants: voidedGrants.count, voidedAccessTokens: accessTokens,
            voidedRefreshTokens: refreshTokens, voidedAuthorizationCodes: pendingCodes.count
        )
    }

    mutating func register(_ client: RegisteredClient) -> Bool {
        guard clients[client.clientID] == nil else { return false }
        clients[client.clientID] = client
        return true
    }

    mutating func add(_ user: UPSUser) -> Bool {
        guard self.user(named: user.username) == nil, self.user(named: user.email) == nil else { return false }
        users.append(user)
        return true
    }
}

/// What a password change voided.
public struct PasswordChange: Sendable, Codable, Equatable {
    public let username: String
    public let voidedGrants: Int
    public let voidedAccessTokens: Int
    public let voidedRefreshTokens: Int
    public let voidedAuthorizationCodes: Int
}
