import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// The two sign-in pages as a browser submits them.
@Suite("UPS sandbox: sign-in pages")
struct SignInPagesTests {
    private func page1(_ ups: RunningSandbox, state: String? = "s-1") async throws -> (html: String, hidden: [(String, String?)]) {
        let response = try await ups.get("/lasso/signin?" + RunningSandbox.authorizeQuery(state: state))
        #expect(response.status == .ok)
        return (response.text, HTMLForm(response.text).hiddenFields)
    }

    private func submit(_ ups: RunningSandbox, _ fields: [(String, String?)]) async throws -> TestClient.Response {
        try await ups.send(.post, SignInRoutes.path, headers: [.contentType: "application/x-www-form-urlencoded"], body: HTMLForm.encode(fields))
    }

    @Test func page1HasLabelledFieldsTheAgreementAndButtons() async throws {
        try await RunningSandbox.with { ups in
            let (html, hidden) = try await page1(ups)
            #expect(html.contains("<h1>Log in</h1>"))
            #expect(html.contains(#"<label for="username">Email or Username</label>"#))
            #expect(html.contains(#"<input id="username" name="username""#))
            #expect(html.contains(#"<input id="agreement" name="agreement" type="checkbox""#))
            #expect(
                html.contains(
                    #"<label for="agreement">By continuing, I agree to the UPS Technology Agreement and authorize Intelligent Pickup Manager to access data associated with my UPS.com username listed above, including UPS shipping account numbers, contact information, rates, and package tracking status.</label>"#
                ))
            #expect(html.contains(">Continue</button>"))
            #expect(html.contains(">Cancel</button>"))
            #expect(html.contains(#"<link rel="stylesheet" href="/lasso/signin.css">"#))
            #expect(hidden.contains { $0.0 == "state" && $0.1 == "s-1" })
            let css = try await ups.get("/lasso/signin.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test func anUnknownUserOrAnUntickedAgreementShowsThePageAgainWithAnError() async throws {
        try await RunningSandbox.with { ups in
            let (_, hidden) = try await page1(ups)
            let unknown = try await submit(ups, hidden + [("username", "nobody@example.com"), ("agreement", "accepted"), ("action", "continue")])
            #expect(unknown.status == .ok)
            #expect(unknown.text.contains(#"role="alert">We don&#39;t recognize that email or username."#))
            #expect(unknown.text.contains(#"value="nobody@example.com""#))
            #expect(!unknown.text.contains("Welcome back"))

            let unticked = try await submit(ups, hidden + [("username", RunningSandbox.demoUser), ("action", "continue")])
            #expect(unticked.text.contains("tick the box to agree to the UPS Technology Agreement"))
            #expect(!unticked.text.contains("Welcome back"))

            let empty = try await submit(ups, hidden + [("username", " "), ("agreement", "accepted"), ("action", "continue")])
            #expect(empty.text.contains("Enter your email or username."))
            #expect(try await ups.counters()["sign_in_failures"] == 1)
        }
    }

    @Test func theEmailAlsoSignsInAndThePasswordPageWelcomesTheUser() async throws {
        try await RunningSandbox.with { ups in
            let (_, hidden) = try await page1(ups)
            let page2 = try await submit(ups, hidden + [("username", "SHIPPER@example.com"), ("agreement", "accepted"), ("action", "continue")])
            #expect(page2.text.contains("<h1>Welcome back, demo-shipper</h1>"))
            #expect(page2.text.contains(#"<label for="password">Password</label>"#))
            #expect(page2.text.contains(#"<input id="password" name="password" type="password""#))
            #expect(page2.text.contains(">Login</button>") && page2.text.contains(">Cancel</button>"))
        }
    }

    @Test func aWrongPasswordShowsAnErrorAndTheRightOneRedirectsWithCodeStateAndScope() async throws {
        try await RunningSandbox.with { ups in
            let (_, hidden) = try await page1(ups, state: "xyz/+= &\u{e9}")
            let page2 = try await submit(ups, hidden + [("username", RunningSandbox.demoUser), ("agreement", "accepted"), ("action", "continue")])
            let signIn = try #require(HTMLForm(page2.text).hiddenFields.first { $0.0 == "signin" }?.1)
            let wrong = try await ups.postForm(SignInRoutes.passwordPath, ["signin": signIn, "password": "nope", "action": "login"])
            #expect(wrong.status == .ok)
            #expect(wrong.text.contains(#"role="alert">The password is incorrect."#))
            let right = try await ups.postForm(
                SignInRoutes.passwordPath, ["signin": signIn, "password": RunningSandbox.demoPassword, "action": "login"])
            #expect(right.status == .found)
            let callback = try #require(right.headers[.location].flatMap(URLComponents.init(string:)))
            #expect("\(callback.scheme!)://\(callback.host!):\(callback.port!)\(callback.path)" == RunningSandbox.demoRedirect)
            #expect(callback.queryValue("state") == "xyz/+= &\u{e9}")
            #expect(callback.queryValue("scope") == "read")
            #expect(callback.queryValue("code")?.count == 43)
            // The pending sign-in is used up.
            let again = try await ups.postForm(
                SignInRoutes.passwordPath, ["signin": signIn, "password": RunningSandbox.demoPassword, "action": "login"])
            #expect(again.status == .badRequest)
            let counters = try await ups.counters()
            #expect(counters["codes_issued"] == 1)
            #expect(counters["sign_in_failures"] == 1)
        }
    }

    @Test func cancelOnEitherPageRedirectsWithAccessDeniedAndTheState() async throws {
        try await RunningSandbox.with { ups in
            let (_, hidden) = try await page1(ups, state: "keep me")
            let first = try await submit(ups, hidden + [("action", "cancel")])
            #expect(first.status == .found)
            let onPage1 = try #require(first.headers[.location].flatMap(URLComponents.init(string:)))
            #expect(onPage1.queryValue("error") == "access_denied")
            #expect(onPage1.queryValue("error_description")?.isEmpty == false)
            #expect(onPage1.queryValue("state") == "keep me")
            #expect(onPage1.queryValue("code") == nil)

            let page2 = try await submit(ups, hidden + [("username", RunningSandbox.demoUser), ("agreement", "accepted"), ("action", "continue")])
            let signIn = try #require(HTMLForm(page2.text).hiddenFields.first { $0.0 == "signin" }?.1)
            let second = try await ups.postForm(SignInRoutes.passwordPath, ["signin": signIn, "action": "cancel"])
            let onPage2 = try #require(second.headers[.location].flatMap(URLComponents.init(string:)))
            #expect(onPage2.queryValue("error") == "access_denied")
            #expect(onPage2.queryValue("state") == "keep me")
            #expect(try await ups.counters()["codes_issued"] == 0)
        }
    }

    @Test func aStateThatWasNotSentIsNotInventedOnTheCallback() async throws {
        try await RunningSandbox.with { ups in
            let callback = try await ups.signIn(state: nil)
            #expect(callback.queryValue("code") != nil)
            #expect(callback.queryItems?.contains { $0.name == "state" } == false)
        }
    }

    @Test func everythingEchoedIsEscaped() async throws {
        try await RunningSandbox.with({ configuration in
            configuration.clients[0].appName = #"<script>alert("x")</script> & Co"#
        }) { ups in
            let (html, _) = try await page1(ups, state: #""><img src=x onerror=alert(1)>"#)
            #expect(!html.contains("<script>"))
            #expect(!html.contains("<img"))
            #expect(html.contains("authorize &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co to access"))
            let (_, hidden) = try await page1(ups)
            let page = try await submit(ups, hidden + [("username", "<b>bold</b>"), ("agreement", "accepted"), ("action", "continue")])
            #expect(page.text.contains("&lt;b&gt;bold&lt;/b&gt;") && !page.text.contains("<b>"))
        }
    }

    @Test func aTamperedRedirectInTheFormIsRefusedWithoutRedirecting() async throws {
        try await RunningSandbox.with { ups in
            let (_, hidden) = try await page1(ups)
            let tampered = hidden.map { $0.0 == "redirect_uri" ? ($0.0, "https://evil.example/cb") : $0 }
            let response = try await submit(ups, tampered + [("action", "cancel")])
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
        }
    }
}
