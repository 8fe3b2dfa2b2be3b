import Foundation
import IPMDomain
import IPMOAuth
import Testing

@Suite("UPS authorize URL")
struct AuthorizationURLTests {
    private func url(pkce: Bool, base: String = "https://wwwcie.ups.com/", state: String, challenge: String?) async throws -> String {
        var result = ""
        try await UPSProviderTests.withProvider(UPSProviderTests.configuration(URL(string: base)!, pkce: pkce)) { provider in
            result = try provider.authorizationURL(state: state, codeChallenge: challenge).absoluteString
        }
        return result
    }

    @Test func carriesEveryParameterPercentEncodedAndTheChallengeWhenPKCEIsOn() async throws {
        let challenge = PKCE.challenge(for: Secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        let url = try await url(pkce: true, state: "st/a+te=1&x", challenge: challenge)
        #expect(
            url == "https://wwwcie.ups.com/security/v1/oauth/authorize?client_id=client-abc"
                + "&redirect_uri=https%3A%2F%2Fipm.example%2Foauth%2Fups%2Fcallback&response_type=code&scope=read%20write"
                + "&state=st%2Fa%2Bte%3D1%26x&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
        let items = URLComponents(string: url)?.queryItems ?? []
        #expect(items.first { $0.name == "state" }?.value == "st/a+te=1&x")
        #expect(items.first { $0.name == "scope" }?.value == "read write")
    }

    @Test func leavesTheChallengeOutWhenPKCEIsOff() async throws {
        let url = try await url(pkce: false, base: "http://127.0.0.1:9999/ups", state: "s", challenge: "ignored")
        #expect(
            url == "http://127.0.0.1:9999/ups/security/v1/oauth/authorize?client_id=client-abc"
                + "&redirect_uri=https%3A%2F%2Fipm.example%2Foauth%2Fups%2Fcallback&response_type=code&scope=read%20write&state=s")
    }

    @Test func refusesToRunWithoutAChallengeWhenPKCEIsOn() async throws {
        await #expect(throws: AuthorizationServerError.self) { try await url(pkce: true, state: "s", challenge: nil) }
    }
}
