import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// `/authorize` and the legacy `/validate-client`: the client and redirect URI checks and the
/// way to the sign-in page.
@Suite("UPS sandbox: authorize")
struct AuthorizeTests {
    @Test func authorizeRedirectsToTheSignInPageWithTheAppsNames() async throws {
        try await RunningSandbox.with { ups in
            let challenge = PKCE.challenge(for: String(repeating: "v", count: 43))
            let response = try await ups.get("/security/v1/oauth/authorize?" + RunningSandbox.authorizeQuery(state: "a b&c=d", challenge: challenge))
            #expect(response.status == .found)
            #expect(response.headers[.init("appname")!] == "Intelligent Pickup Manager")
            #expect(response.headers[.init("displayname")!] == "Intelligent Pickup Manager")
            let location = try #require(response.headers[.location].flatMap(URLComponents.init(string:)))
            #expect(location.scheme == "http" && location.host == "127.0.0.1" && location.port == ups.port)
            #expect(location.path == "/lasso/signin")
            #expect(location.queryValue("client_id") == RunningSandbox.demoClient)
            #expect(location.queryValue("redirect_uri") == RunningSandbox.demoRedirect)
            #expect(location.queryValue("response_type") == "code")
            #expect(location.queryValue("scope") == "read")
            #expect(location.queryValue("state") == "a b&c=d")
            #expect(location.queryValue("type") == "ups_com_api")
            #expect(location.queryValue("code_challenge") == challenge)
            #expect(location.queryValue("code_challenge_method") == "S256")
        }
    }

    @Test func aRedirectURINotRegisteredExactlyIs10400() async throws {
        try await RunningSandbox.with { ups in
            for redirect in [RunningSandbox.demoRedirect + "/", "http://127.0.0.1:8080/oauth/ups/callback?x=1", "https://evil.example/cb"] {
                let response = try await ups.get("/security/v1/oauth/authorize?" + RunningSandbox.authorizeQuery(redirect: redirect))
                #expect(response.status == .badRequest)
                #expect(response.upsError?.code == "10400")
                #expect(response.upsError?.message == "Invalid Redirect URL")
                #expect(response.text == #"{"response":{"errors":[{"code":"10400","message":"Invalid Redirect URL"}]}}"#)
            }
        }
    }

    @Test func anUnknownClientIs10401() async throws {
        try await RunningSandbox.with { ups in
            let response = try await ups.get("/security/v1/oauth/authorize?" + RunningSandbox.authorizeQuery(client: "nobody"))
            #expect(response.status == .unauthorized)
            #expect(response.upsError?.code == "10401")
            #expect(response.upsError?.message == "ClientId is Invalid")
        }
    }

    @Test(arguments: [
        "redirect_uri=x&response_type=code",
        "client_id=ipm-demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fups%2Fcallback",
        "client_id=ipm-demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fups%2Fcallback&response_type=token",
        "client_id=ipm-demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fups%2Fcallback&response_type=code&code_challenge=short",
        "client_id=ipm-demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fups%2Fcallback&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain",
    ])
    func missingOrInvalidParametersAre400(query: String) async throws {
        try await RunningSandbox.with { ups in
            let response = try await ups.get("/security/v1/oauth/authorize?" + query)
            #expect(response.status == .badRequest)
            #expect(response.upsError?.code == "10400")
        }
    }

    @Test func validateClientAnswersTheLegacyShape() async throws {
        try await RunningSandbox.with { ups in
            let query = FormFields.encode(["client_id": RunningSandbox.demoClient, "redirect_uri": RunningSandbox.demoRedirect])
            let response = try await ups.get("/security/v1/oauth/validate-client?" + query)
            #expect(response.status == .ok)
            let answer = try JSONDecoder().decode([String: String].self, from: Data(response.text.utf8))
            #expect(answer == ["result": "success", "type": "ups_com_api", "LassoRedirectURL": "http://127.0.0.1:\(ups.port)/lasso/signin"])

            let wrong = try await ups.get(
                "/security/v1/oauth/validate-client?"
                    + FormFields.encode(["client_id": RunningSandbox.demoClient, "redirect_uri": "http://elsewhere/cb"]))
            #expect(wrong.status == .badRequest)
            #expect(wrong.upsError?.code == "10400")
            let unknown = try await ups.get(
                "/security/v1/oauth/validate-client?" + FormFields.encode(["client_id": "nobody", "redirect_uri": RunningSandbox.demoRedirect]))
            #expect(unknown.upsError?.code == "10401")
        }
    }

    @Test func theLegacyFlowSignsInFromTheSignInPagesOwnQuery() async throws {
        try await RunningSandbox.with { ups in
            // The app sends the browser straight to LassoRedirectURL, without /authorize.
            let query = FormFields.encode([
                "client_id": RunningSandbox.demoClient, "redirect_uri": RunningSandbox.demoRedirect,
                "response_type": "code", "scope": "read", "type": "ups_com_api",
            ])
            let page = try await ups.get("/lasso/signin?" + query)
            #expect(page.status == .ok)
            #expect(page.text.contains("Email or Username"))
            let forged = try await ups.get("/lasso/signin?" + query.replacingOccurrences(of: "8080", with: "9999"))
            #expect(forged.status == .badRequest)
            #expect(forged.text.contains("Invalid Redirect URL"))
            #expect(!forged.text.contains("<form"))
        }
    }
}

/// `/authorize` errors as UPS's Java sample reads them: `errorcode`/`errordescription`
/// headers, or a 302 to UPS's own error page from which the browser never comes back.
@Suite("UPS sandbox: authorize errors")
struct AuthorizeErrorTests {
    @Test func authorizeErrorsCarryErrorCodeHeaders() async throws {
        try await RunningSandbox.with { ups in
            let response = try await ups.get("/security/v1/oauth/authorize?" + RunningSandbox.authorizeQuery(redirect: "https://evil.example/cb"))
            #expect(response.status == .badRequest)
            #expect(response.headers[.init("errorcode")!] == "10400")
            #expect(response.headers[.init("errordescription")!] == "Invalid Redirect URL")
            let legacy = try await ups.get("/security/v1/oauth/validate-client?client_id=nobody&redirect_uri=x")
            #expect(legacy.status == .unauthorized && legacy.headers[.init("errorcode")!] == "10401")
        }
    }

    @Test func aFaultAnswersWithHeadersOrSendsTheBrowserToUPSsErrorPage() async throws {
        try await RunningSandbox.with({ $0.authorizeFault = AuthorizeFault(mode: .errorPage) }) { ups in
            let query = "/security/v1/oauth/authorize?" + RunningSandbox.authorizeQuery()
            let page = try await ups.get(query)
            #expect(page.status == .found)
            #expect(page.headers[.location] == "https://www.ups.com/error.page")
            #expect(try await ups.get("/sandbox/authorize-fault").text.contains(#""mode":"errorPage""#))

            let put = try await ups.postJSON(
                "/sandbox/authorize-fault", #"{"mode":"errorHeaders","status":403,"errorCode":"10403","errorDescription":"Blocked Merchant"}"#,
                method: .put
            )
            #expect(put.status == .ok, "\(put.text)")
            let headers = try await ups.get(query)
            #expect(headers.status == .forbidden)
            #expect(headers.headers[.init("errorcode")!] == "10403")
            #expect(headers.headers[.init("errordescription")!] == "Blocked Merchant")
            #expect(headers.upsError?.code == "10403")
            #expect(headers.headers[.location] == nil)
            let legacy = try await ups.get("/security/v1/oauth/validate-client?" + RunningSandbox.authorizeQuery())
            #expect(legacy.status == .forbidden && legacy.headers[.init("errorcode")!] == "10403")

            let invalid = try await ups.postJSON("/sandbox/authorize-fault", #"{"mode":"errorHeaders","status":200}"#, method: .put)
            #expect(invalid.status == .badRequest && invalid.text.contains("authorizeFault.status"), "\(invalid.text)")
            let unknown = try await ups.postJSON("/sandbox/authorize-fault", #"{"mode":"sometimes"}"#, method: .put)
            #expect(unknown.status == .badRequest)

            let cleared = try await ups.send(.delete, "/sandbox/authorize-fault")
            #expect(cleared.text == #"{"authorizeFault":null}"#)
            let works = try await ups.get(query)
            #expect(works.status == .found && works.headers[.location]?.contains("/lasso/signin?") == true)
        }
    }
}
