import Foundation
import IPMDomain
import IPMOAuth
import Testing

@Suite("UPS token response")
struct TokenResponseTests {
    static let sentAt = Date(timeIntervalSince1970: 1_700_000_000)

    private func decode(_ json: String) throws(TokenResponseError) -> UPSTokenResponse {
        try UPSTokenResponse.decode(Array(json.utf8))
    }

    private func problem(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsUPSsStringTypedFieldsAndCountsFromTheSendTime() throws {
        let response = try decode(FakeUPS.tokenJSON(access: "acc", refresh: "ref"))
        #expect(response.accessToken == Secret("acc"))
        #expect(response.refreshToken == Secret("ref"))
        #expect(response.expiresIn == 14399)
        #expect(response.refreshTokenExpiresIn == 5_183_999)
        #expect(response.scope == "read")
        #expect(response.refreshCount == 0)
        let grant = response.grant(sentAt: Self.sentAt)
        #expect(grant.lifetimes.accessTokenExpiresAt == Self.sentAt.addingTimeInterval(14399))
        #expect(grant.lifetimes.refreshTokenExpiresAt == Self.sentAt.addingTimeInterval(5_183_999))
        #expect(grant.scope == "read")
    }

    @Test func acceptsNumbersAndToleratesMissingOptionalAndUnknownFields() throws {
        let response = try decode(#"{"access_token":"a","refresh_token":"r","expires_in":3600,"extra":{"nested":[1,true]},"status":null}"#)
        #expect(response.expiresIn == 3600)
        #expect(response.refreshTokenExpiresIn == nil)
        #expect(response.scope == nil)
        #expect(response.refreshCount == nil)
        #expect(response.grant(sentAt: Self.sentAt).lifetimes.refreshTokenExpiresAt == nil)
        #expect(try decode(#"{"access_token":"a","refresh_token":"r","expires_in":3600.0,"refresh_count":2}"#).refreshCount == 2)
    }

    @Test(arguments: [
        (#"{"refresh_token":"r","expires_in":"1"}"#, "it has no access_token"),
        (#"{"access_token":"","refresh_token":"r","expires_in":"1"}"#, "it has no access_token"),
        (#"{"access_token":"a","expires_in":"1"}"#, "it has no refresh_token"),
        (#"{"access_token":"a","refresh_token":"","expires_in":"1"}"#, "it has no refresh_token"),
        (#"{"access_token":"a","refresh_token":"r"}"#, "it has no expires_in"),
        (#"{"access_token":"a","refresh_token":"r","expires_in":"soon"}"#, #"its expires_in "soon" is not a number of seconds up to a year"#),
        (#"{"access_token":"a","refresh_token":"r","expires_in":"-5"}"#, #"its expires_in "-5" is not a number of seconds up to a year"#),
        (
            #"{"access_token":"a","refresh_token":"r","expires_in":"1","refresh_token_expires_in":"1e99"}"#,
            #"its refresh_token_expires_in "1e99" is not a number of seconds up to a year"#
        ),
        (#"["access_token"]"#, "the body is not a JSON object"),
        ("<html>Access Denied</html>", "the body is not a JSON object"),
        ("", "the body is not a JSON object"),
    ])
    func unusableResponsesSayWhyWithoutTheTokens(json: String, reason: String) {
        #expect(problem(json) == "the token response is unusable: \(reason)")
    }

    @Test func theProblemNeverCarriesTheTokens() {
        let message = problem(#"{"access_token":"SECRET-ACCESS","refresh_token":"SECRET-REFRESH","expires_in":"x"}"#) ?? ""
        #expect(!message.contains("SECRET"))
    }
}
