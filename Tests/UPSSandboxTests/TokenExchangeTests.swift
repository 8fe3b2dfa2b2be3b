import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// `POST /security/v1/oauth/token`: the code for the first token pair.
@Suite("UPS sandbox: token exchange")
struct TokenExchangeTests {
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    @Test func aCodeBuysATokenPairInUPSsShapeEveryFieldAString() async throws {
        try await RunningSandbox.with { ups in
            let before = Date()
            let response = try await ups.exchange(try await ups.code())
            let after = Date()
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let raw = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
            #expect(raw.values.allSatisfy { $0 is String }, "\(raw)")
            let fields = try response.tokenFields()
            #expect(
                Set(fields.keys) == [
                    "token_type", "issued_at", "client_id", "access_token", "refresh_token", "scope", "expires_in",
                    "refresh_count", "refresh_token_expires_in", "refresh_token_issued_at", "refresh_token_status", "status",
                ])
            #expect(fields["token_type"] == "Bearer")
            #expect(fields["client_id"] == RunningSandbox.demoClient)
            #expect(fields["scope"] == "read")
            #expect(fields["expires_in"] == "3599", "UPS's access tokens last an hour since 2026-04-01")
            #expect(fields["refresh_count"] == "0")
            #expect(fields["refresh_token_expires_in"] == "5183999")
            #expect(fields["refresh_token_status"] == "approved" && fields["status"] == "approved")
            let issuedAt = try #require(fields["issued_at"].flatMap(Int64.init))
            // Issued during the call, in epoch milliseconds (a second's slack for rounding).
            #expect((before.timeIntervalSince1970 * 1000 - 1000)...(after.timeIntervalSince1970 * 1000 + 1000) ~= Double(issuedAt))
            #expect(fields["refresh_token_issued_at"] == fields["issued_at"])
            let access = try #require(fields["access_token"])
            let refresh = try #require(fields["refresh_token"])
            #expect(access.count >= 43 && refresh.count >= 43 && access != refresh)
            #expect(access.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            let counters = try await ups.counters()
            #expect(counters["codes_redeemed"] == 1 && counters["tokens_issued"] == 1)
        }
    }

    @Test func aCodeWorksOnceAndItsReuseVoidsWhatItStarted() async throws {
        try await RunningSandbox.with { ups in
            let code = try await ups.code()
            let first = try await ups.exchange(code)
            #expect(first.status == .ok)
            let second = try await ups.exchange(code)
            #expect(second.status == .badRequest)
            #expect(second.upsError?.code == "10410")
            let access = try #require(try first.tokenFields()["access_token"])
            #expect(try await ups.track(token: access).status == .unauthorized)
            let counters = try await ups.counters()
            #expect(counters["codes_refused"] == 1 && counters["grants_voided"] == 1)
        }
    }

    @Test func aCodeExpires() async throws {
        try await RunningSandbox.with({ $0.lifetimes.authorizationCodeSeconds = 1 }) { ups in
            let code = try await ups.code()
            try await Task.sleep(for: .milliseconds(1100))
            let response = try await ups.exchange(code)
            #expect(response.status == .badRequest)
            #expect(response.upsError?.code == "10410")
        }
    }

    @Test func aCodeIsBoundToItsClientAndRedirectURI() async throws {
        try await RunningSandbox.with({ configuration in
            configuration.clients[0].redirectURIs.append("http://127.0.0.1:8080/other")
            configuration.clients.append(
                RegisteredClient(clientID: "other", clientSecret: "other-secret", redirectURIs: [RunningSandbox.demoRedirect], appName: "Other"))
        }) { ups in
            let code = try await ups.code()
            #expect(try await ups.exchange(code, redirect: "http://127.0.0.1:8080/other").upsError?.code == "10410")
            #expect(try await ups.exchange(code, headers: RunningSandbox.basic("other", "other-secret")).upsError?.code == "10410")
            #expect(try await ups.exchange(code).status == .ok)
        }
    }

    @Test func aBadClientIs401() async throws {
        try await RunningSandbox.with { ups in
            let code = try await ups.code()
            for headers: HTTPFields in [
                RunningSandbox.basic(RunningSandbox.demoClient, "wrong"), RunningSandbox.basic("nobody", "x"), [.authorization: "Basic !!!"], [:],
            ] {
                let response = try await ups.exchange(code, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(response.upsError?.code == "10401")
            }
            // None of that used the code up.
            #expect(try await ups.exchange(code).status == .ok)
        }
    }

    @Test func malformedRequestsAre10400() async throws {
        try await RunningSandbox.with { ups in
            let json = try await ups.send(
                .post, TokenRoutes.tokenPath, headers: RunningSandbox.basic().merging([.contentType: "application/json"]), body: "{}")
            #expect(json.status == .badRequest && json.upsError?.code == "10400")
            let grant = try await ups.postForm(TokenRoutes.tokenPath, ["grant_type": "password", "code": "x"], headers: RunningSandbox.basic())
            #expect(grant.status == .badRequest && grant.upsError?.code == "10400")
            let unknown = try await ups.exchange("no-such-code")
            #expect(unknown.status == .badRequest && unknown.upsError?.code == "10410")
        }
    }

    @Test func pkceRightVerifierWorksWrongOrMissingIsRefused() async throws {
        try await RunningSandbox.with { ups in
            let challenge = PKCE.challenge(for: Self.verifier)
            #expect(challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")  // RFC 7636 appendix B
            let code = try await ups.code(challenge: challenge)
            #expect(try await ups.exchange(code).upsError?.code == "10410")
            let pkce: KeyValuePairs<String, String?> = ["client_id": RunningSandbox.demoClient]
            #expect(try await ups.exchange(code, verifier: Self.verifier + "x", headers: [:], extra: pkce).upsError?.code == "10410")
            let right = try await ups.exchange(code, verifier: Self.verifier, headers: [:], extra: pkce)
            #expect(right.status == .ok, "\(right.text)")
            #expect(try await ups.counters()["codes_refused"] == 2)
        }
    }

    @Test func aPublicClientMayUseClientIDAndVerifierButOnlyWithPKCEAndRefreshesWithBasic() async throws {
        try await RunningSandbox.with { ups in
            let withPKCE = try await ups.code(challenge: PKCE.challenge(for: Self.verifier))
            let ok = try await ups.exchange(withPKCE, verifier: Self.verifier, headers: [:], extra: ["client_id": RunningSandbox.demoClient])
            #expect(ok.status == .ok, "\(ok.text)")
            // Refreshing is HTTP Basic only, PKCE or not.
            let refresh = try #require(try ok.tokenFields()["refresh_token"])
            let publicRefresh = try await ups.postForm(
                TokenRoutes.refreshPath, ["grant_type": "refresh_token", "refresh_token": refresh, "client_id": RunningSandbox.demoClient]
            )
            #expect(publicRefresh.status == .unauthorized && publicRefresh.upsError?.code == "10401", "\(publicRefresh.text)")
            let refreshed = try await ups.refresh(refresh)
            #expect(refreshed.status == .ok, "\(refreshed.text)")

            let withoutPKCE = try await ups.code()
            let refused = try await ups.exchange(withoutPKCE, headers: [:], extra: ["client_id": RunningSandbox.demoClient])
            #expect(refused.status == .unauthorized && refused.upsError?.code == "10401")
        }
    }

    // MARK: The spec, strictly (OAuthAuthCode.yaml)

    @Test func basicTogetherWithAVerifierIsRefusedAndSpendsNothing() async throws {
        try await RunningSandbox.with { ups in
            let code = try await ups.code(challenge: PKCE.challenge(for: Self.verifier))
            let both = try await ups.exchange(code, verifier: Self.verifier)
            #expect(both.status == .badRequest, "\(both.text)")
            #expect(both.upsError?.code == "10400")
            #expect(both.upsError?.message == "Invalid Request: the Authorization header must not be sent with code_verifier")
            // Refused before the code was looked at: the spec's form still redeems it.
            let pkce = try await ups.exchange(code, verifier: Self.verifier, headers: [:], extra: ["client_id": RunningSandbox.demoClient])
            #expect(pkce.status == .ok, "\(pkce.text)")
            #expect(try await ups.counters()["codes_refused"] == 0)
        }
    }

    @Test func aPKCEExchangeMustNameItsClientInTheBody() async throws {
        try await RunningSandbox.with { ups in
            let code = try await ups.code(challenge: PKCE.challenge(for: Self.verifier))
            let anonymous = try await ups.exchange(code, verifier: Self.verifier, headers: [:])
            #expect(anonymous.status == .unauthorized && anonymous.upsError?.code == "10401", "\(anonymous.text)")
            let stranger = try await ups.exchange(code, verifier: Self.verifier, headers: [:], extra: ["client_id": "nobody"])
            #expect(stranger.status == .unauthorized && stranger.upsError?.code == "10401")
            #expect(
                try await ups.exchange(code, verifier: Self.verifier, headers: [:], extra: ["client_id": RunningSandbox.demoClient]).status == .ok)
        }
    }

    @Test func withoutBasicAnExchangeNeedsPKCE() async throws {
        try await RunningSandbox.with { ups in
            // A code with a challenge, the client named, but no verifier: neither form.
            let code = try await ups.code(challenge: PKCE.challenge(for: Self.verifier))
            let neither = try await ups.exchange(code, headers: [:], extra: ["client_id": RunningSandbox.demoClient])
            #expect(neither.status == .unauthorized && neither.upsError?.code == "10401", "\(neither.text)")
            #expect(try await ups.counters()["codes_refused"] == 0)
        }
    }

    @Test func tokenAnswersCanLeaveOutScopeAndRefreshCount() async throws {
        try await RunningSandbox.with({ $0.tokenResponse.includesScope = false }) { ups in
            let first = try await ups.tokens()
            #expect(first["scope"] == nil && first["refresh_count"] == "0")
            let put = try await ups.postJSON("/sandbox/token-response", #"{"includesScope":false,"includesRefreshCount":false}"#, method: .put)
            #expect(put.status == .ok && put.text == #"{"includesRefreshCount":false,"includesScope":false}"#, "\(put.text)")
            let refreshed = try await ups.refresh(try #require(first["refresh_token"]))
            let fields = try refreshed.tokenFields()
            #expect(fields["scope"] == nil && fields["refresh_count"] == nil)
            #expect(fields["access_token"] != nil && fields["expires_in"] == "3599" && fields["refresh_token_expires_in"] == "5183999")
            #expect(
                try await ups.postJSON("/sandbox/token-response", "{}", method: .put).text == #"{"includesRefreshCount":true,"includesScope":true}"#)
            #expect(try await ups.tokens()["scope"] == "read")
        }
    }
}
