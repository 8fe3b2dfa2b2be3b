import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// `POST /security/v1/oauth/refresh`: rotation, single use, expiry, and voiding.
@Suite("UPS sandbox: refresh")
struct RefreshTests {
    @Test func aRefreshRotatesBothTokensAndCounts() async throws {
        try await RunningSandbox.with { ups in
            let first = try await ups.tokens()
            let response = try await ups.refresh(first["refresh_token"]!)
            #expect(response.status == .ok)
            let second = try response.tokenFields()
            #expect(second["access_token"] != first["access_token"])
            #expect(second["refresh_token"] != first["refresh_token"])
            #expect(second["refresh_count"] == "1")
            #expect(second["client_id"] == RunningSandbox.demoClient)
            let third = try await ups.refresh(second["refresh_token"]!).tokenFields()
            #expect(third["refresh_count"] == "2")
            // Both the new and the not yet expired older access tokens work.
            #expect(try await ups.track(token: third["access_token"]).status == .ok)
            #expect(try await ups.track(token: first["access_token"]).status == .ok)
            let counters = try await ups.counters()
            #expect(counters["refreshes_served"] == 2)
            #expect(counters["tokens_issued"] == 3)
            #expect(counters["refresh_token_reuse"] == 0)
            #expect(counters["refreshes_refused"] == 0)
        }
    }

    @Test func aUsedRefreshTokenIsRefusedCountedAndVoidsTheWholeGrant() async throws {
        try await RunningSandbox.with { ups in
            let first = try await ups.tokens()
            let second = try await ups.refresh(first["refresh_token"]!).tokenFields()
            let reused = try await ups.refresh(first["refresh_token"]!)
            #expect(reused.status == .badRequest)
            #expect(reused.upsError?.code == "10411")
            // Everything that descends from that opt-in is void now.
            let latest = try await ups.refresh(second["refresh_token"]!)
            #expect(latest.status == .badRequest && latest.upsError?.code == "10411")
            #expect(try await ups.track(token: second["access_token"]).status == .unauthorized)
            #expect(try await ups.track(token: first["access_token"]).status == .unauthorized)
            // Another opt-in of the same user is untouched.
            let other = try await ups.tokens()
            #expect(try await ups.refresh(other["refresh_token"]!).status == .ok)
            let counters = try await ups.counters()
            #expect(counters["refresh_token_reuse"] == 1)
            #expect(counters["refreshes_refused_reused"] == 1)
            #expect(counters["refreshes_refused_voided"] == 1)
            #expect(counters["refreshes_refused"] == 2)
            #expect(counters["grants_voided"] == 1)
        }
    }

    @Test func anExpiredRefreshTokenIsRefused() async throws {
        try await RunningSandbox.with({ $0.lifetimes.refreshTokenSeconds = 1 }) { ups in
            let tokens = try await ups.tokens()
            #expect(tokens["refresh_token_expires_in"] == "1")
            try await Task.sleep(for: .milliseconds(1100))
            let response = try await ups.refresh(tokens["refresh_token"]!)
            #expect(response.status == .badRequest && response.upsError?.code == "10411")
            let counters = try await ups.counters()
            #expect(counters["refreshes_refused_expired"] == 1)
            #expect(counters["refresh_token_reuse"] == 0)
        }
    }

    @Test func unknownTokensBadClientsAndOtherClientsTokensAreRefused() async throws {
        try await RunningSandbox.with({ configuration in
            configuration.clients.append(RegisteredClient(clientID: "other", clientSecret: "other-secret", redirectURIs: [], appName: "Other"))
        }) { ups in
            let tokens = try await ups.tokens()
            let unknown = try await ups.refresh("not-a-token")
            #expect(unknown.status == .badRequest && unknown.upsError?.code == "10411")
            let badSecret = try await ups.refresh(tokens["refresh_token"]!, headers: RunningSandbox.basic(RunningSandbox.demoClient, "wrong"))
            #expect(badSecret.status == .unauthorized && badSecret.upsError?.code == "10401")
            let otherClient = try await ups.refresh(tokens["refresh_token"]!, headers: RunningSandbox.basic("other", "other-secret"))
            #expect(otherClient.status == .badRequest && otherClient.upsError?.code == "10411")
            let noBasic = try await ups.postForm(
                TokenRoutes.refreshPath,
                ["grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]!, "client_id": RunningSandbox.demoClient])
            #expect(noBasic.status == .unauthorized, "a confidential client's grant needs its secret")
            // None of these consumed the token.
            #expect(try await ups.refresh(tokens["refresh_token"]!).status == .ok)
            #expect(try await ups.counters()["refreshes_refused_unknown"] == 2)
        }
    }

    @Test func aPasswordChangeVoidsEveryTokenAndCodeOfThatUser() async throws {
        try await RunningSandbox.with({ configuration in
            configuration.users.append(UPSUser(username: "bystander", email: "b@example.com", password: "Bystander-1"))
        }) { ups in
            let a = try await ups.tokens()
            let b = try await ups.tokens()
            let rotated = try await ups.refresh(b["refresh_token"]!).tokenFields()
            let pendingCode = try await ups.code()
            let bystanderCallback = try await ups.signIn("bystander", password: "Bystander-1")
            let bystander = try await ups.exchange(bystanderCallback.queryValue("code")!).tokenFields()

            let change = try await ups.postJSON("/sandbox/users/demo-shipper/password", #"{"password":"New-Pass-2"}"#)
            #expect(change.status == .ok, "\(change.text)")
            let voided = try JSONDecoder().decode(PasswordChange.self, from: Data(change.text.utf8))
            #expect(
                voided
                    == PasswordChange(
                        username: "demo-shipper", voidedGrants: 2, voidedAccessTokens: 3, voidedRefreshTokens: 2, voidedAuthorizationCodes: 1))

            for token in [a["refresh_token"]!, rotated["refresh_token"]!] {
                let refused = try await ups.refresh(token)
                #expect(refused.status == .badRequest && refused.upsError?.code == "10411")
            }
            for token in [a["access_token"]!, b["access_token"]!, rotated["access_token"]!] {
                let call = try await ups.track(token: token)
                #expect(call.status == .unauthorized)
                #expect(call.text == #"{"response":{"errors":[{"code":"250002","message":"Invalid Authentication Information"}]}}"#)
            }
            #expect(try await ups.exchange(pendingCode).upsError?.code == "10410")
            // The old password no longer signs in; the new one does. The bystander is unaffected.
            let oldPassword = try await ups.postForm(
                SignInRoutes.passwordPath, ["signin": try await ups.startSignIn(), "password": RunningSandbox.demoPassword, "action": "login"])
            #expect(oldPassword.status == .ok && oldPassword.text.contains("The password is incorrect."))
            #expect(try await ups.signIn(password: "New-Pass-2").queryValue("code") != nil)
            #expect(try await ups.track(token: bystander["access_token"]).status == .ok)
            let counters = try await ups.counters()
            #expect(counters["refreshes_refused_voided"] == 2)
            #expect(counters["refresh_token_reuse"] == 0)
            #expect(counters["password_changes"] == 1)
        }
    }
}
