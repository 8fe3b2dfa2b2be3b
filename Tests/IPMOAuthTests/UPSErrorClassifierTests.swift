import AsyncHTTPClient
import IPMDomain
import IPMOAuth
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("UPS error classification")
struct UPSErrorClassifierTests {
    private func classify(
        _ status: Int, _ body: String, _ operation: UPSTokenOperation = .refresh, redacting: [Secret] = []
    ) -> AuthorizationServerError {
        UPSErrorClassifier.classify(status: status, body: Array(body.utf8), operation: operation, redacting: redacting)
    }

    @Test(arguments: [
        (500, "", AuthorizationServerError.Kind.transient),
        (502, "<html>Bad Gateway</html>", .transient),
        (503, FakeUPS.envelope(code: "10500", message: "Service Unavailable"), .transient),
        (429, FakeUPS.envelope(code: "10429", message: "Too Many Requests"), .transient),
        (429, "", .transient),
        (403, FakeUPS.envelope(code: "10429", message: "Too Many Requests"), .transient),
        (408, "", .transient),
        (401, FakeUPS.envelope(code: "10401", message: "ClientId is Invalid"), .misconfigured),
        (400, FakeUPS.envelope(code: "10401", message: "ClientId is Invalid"), .misconfigured),
        (401, FakeUPS.envelope(code: "99999", message: "Client is invalid"), .misconfigured),
        (401, #"{"error":"invalid_client","error_description":"bad secret"}"#, .misconfigured),
        (400, #"{"error":"unauthorized_client"}"#, .misconfigured),
        (302, "", .misconfigured),
        (404, "<html>Not Found</html>", .misconfigured),
        (405, "", .misconfigured),
        (400, FakeUPS.envelope(code: "10400", message: "Invalid Refresh Token"), .refused),
        (401, FakeUPS.envelope(code: "250002", message: "Invalid Authentication Information"), .refused),
        (400, FakeUPS.envelope(code: "99999", message: "Client is invalid"), .refused),
        (401, #"{"error":"invalid_grant","error_description":"refresh token expired"}"#, .refused),
        (403, "<html>blocked</html>", .blocked),
        (403, FakeUPS.envelope(code: "10403", message: "Blocked Merchant"), .blocked),
        (401, "", .refused),
        (199, "", .transient),
    ])
    func statusAndBodyDecideTheKind(status: Int, body: String, kind: AuthorizationServerError.Kind) {
        let error = classify(status, body)
        #expect(error.kind == kind)
        #expect(error.delivery == .answered)
        #expect(error.message.contains("HTTP \(status)"))
    }

    @Test func readsUPSsEnvelopeIntoCodeAndMessage() {
        let error = classify(401, FakeUPS.envelope(code: "10401", message: "ClientId is Invalid"), .exchange)
        #expect(error.code == "10401")
        #expect(
            error.message
                == #"UPS token exchange was refused because UPS does not accept IPM's client credentials (HTTP 401): UPS says "ClientId is Invalid"; check IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET"#
        )
        #expect(error.description.hasSuffix("(UPS code 10401)"))
        let refused = classify(400, #"{"response":{"errors":[{"code":10400,"message":"Invalid request"}]}}"#)
        #expect(refused.code == "10400")
        #expect(refused.message == #"UPS token refresh was refused (HTTP 400): UPS says "Invalid request""#)
    }

    @Test func upsTextIsEscapedBoundedAndRedacted() {
        let token = Secret("rt-0123456789abcdef")
        let error = classify(
            400, FakeUPS.envelope(code: "10400\\u0007", message: "token rt-0123456789abcdef is \\u202Eused" + String(repeating: "x", count: 500)),
            redacting: [token])
        #expect(!error.message.contains(token.value))
        #expect(error.message.contains("token [redacted] is \\u{202e}used"))
        #expect(error.message.count < 320)
        #expect(error.code == "10400\\u{7}")
        #expect(!error.message.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test func nonJSONBodiesAreNeverEchoed() {
        let error = classify(502, "<html><body>proxy says token=abc</body></html>")
        #expect(error.code == nil)
        #expect(error.message == "UPS token refresh failed on UPS's side (HTTP 502)")
    }

    @Test func anUnusable2xxIsTransientBecauseOnlyA4xxProvesTheGrantDead() {
        let error = UPSErrorClassifier.unusableTokenResponse(
            status: 200, reason: "the token response is unusable: it has no refresh_token", operation: .refresh)
        #expect(error.kind == .transient)
        #expect(error.delivery == .answered)
    }

    @Test func transportErrorsAreTransientAndSayWhetherTheRequestLeft() {
        func classify(_ error: any Error) -> AuthorizationServerError {
            UPSErrorClassifier.classify(transportError: error, operation: .refresh, timeout: .milliseconds(1500))
        }
        let refused = classify(IOError(errnoCode: ECONNREFUSED, reason: "connect"))
        #expect(refused.kind == .transient && refused.delivery == .notSent)
        #expect(refused.message == "UPS token refresh failed: could not connect to UPS (connection refused); nothing was sent")
        #expect(classify(HTTPClientError.connectTimeout).delivery == .notSent)
        #expect(classify(ChannelError.connectTimeout(.seconds(1))).delivery == .notSent)

        let timeout = classify(HTTPClientError.deadlineExceeded)
        #expect(timeout.kind == .transient && timeout.delivery == .unknown)
        #expect(timeout.message == "UPS token refresh failed: UPS did not answer within 1.5 s")
        #expect(classify(HTTPClientError.remoteConnectionClosed).delivery == .unknown)
        #expect(classify(IOError(errnoCode: ECONNRESET, reason: "read")).delivery == .unknown)
        #expect(classify(CancellationError()).delivery == .unknown)

        struct Strange: Error {}
        #expect(classify(Strange()).message == "UPS token refresh failed: the connection to UPS failed (Strange)")
        let badURL = classify(HTTPClientError.unsupportedScheme("ftp"))
        #expect(badURL.kind == .misconfigured && badURL.delivery == .notSent)
    }
}
