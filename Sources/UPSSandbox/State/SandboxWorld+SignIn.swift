import Foundation

extension SandboxWorld {
    /// Page 1 accepted: remembers the request and the user until the password comes.
    /// `nil` when no user has that email or username.
    mutating func beginSignIn(_ request: AuthorizationRequest, emailOrUsername: String, now: Date) -> (id: String, signIn: PendingSignIn)? {
        guard let user = user(named: emailOrUsername) else {
            count(.signInFailures)
            return nil
        }
        let id = OpaqueToken.make()
        let signIn = PendingSignIn(
            request: request, username: user.username, displayName: user.displayName,
            expiresAt: now + Self.signInLifetime
        )
        signIns[id] = signIn
        return (id, signIn)
    }

    func pendingSignIn(_ id: String, now: Date) -> PendingSignIn? {
        guard let signIn = signIns[id], now < signIn.expiresAt else { return nil }
        return signIn
    }

    /// Page 2: the right password ends the sign-in with an authorization code.
    mutating func completeSignIn(_ id: String, password: String, now: Date) -> SignInOutcome {
        guard let signIn = pendingSignIn(id, now: now) else { return .expired }
        guard let user = user(named: signIn.username), user.password == password else {
            count(.signInFailures)
            return .wrongPassword(signIn)
        }
        signIns[id] = nil
        let code = OpaqueToken.make()
        codes[code] = AuthorizationCodeRecord(
            request: signIn.request, username: user.username,
            expiresAt: now + TimeInterval(lifetimes.authorizationCodeSeconds)
        )
        count(.codesIssued)
        return .authorized(code: code, signIn.request)
    }

    mutating func cancelSignIn(_ id: String, now: Date) -> PendingSignIn? {
        defer { signIns[id] = nil }
        return pendingSignIn(id, now: now)
    }
}

enum SignInOutcome {
    case authorized(code: String, AuthorizationRequest)
    case wrongPassword(PendingSignIn)
    /// Unknown or too old: the user starts again from the app.
    case expired
}
