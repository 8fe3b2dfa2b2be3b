import Foundation
import Hummingbird
import HummingbirdTesting
import IPMDomain
import Synchronization
import Testing

@testable import IPMHTTP

/// The web front's routes against a real PostgreSQL, with a recording opt-in flow.
@Suite("Web pages")
struct WebPagesTests {
    @Test func signInSetsAHardenedSessionCookieAndReturnsToThePageAsked() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let guarded = try await browser.get(client, "/companies/\(harness.acme.id)/activity")
                #expect(guarded.status == .seeOther)
                #expect(guarded.headers[.location] == "/sign-in?next=/companies/\(harness.acme.id)/activity")

                let page = try await browser.get(client, "/sign-in?next=/companies/\(harness.acme.id)/activity")
                let html = String(buffer: page.body)
                #expect(html.contains(#"<label for="name">Sign in name</label>"#))
                #expect(html.contains(#"<label for="password">Password</label>"#))
                #expect(html.contains("SIGN IN") && html.contains("Forgot your password?"))

                let signedIn = try await browser.post(
                    client, "/sign-in",
                    [
                        ("csrf", Browser.csrf(in: page) ?? ""), ("name", "alice"), ("password", WebHarness.password),
                        ("next", "/companies/\(harness.acme.id)/activity"),
                    ])
                #expect(signedIn.status == .seeOther)
                #expect(signedIn.headers[.location] == "/companies/\(harness.acme.id)/activity")
                let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("__Host-ipm_session=") })
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"))
                // Over https the __Host- prefix: browsers keep it only with Secure, Path=/ and no Domain.
                #expect(cookie.contains("Path=/") && !cookie.lowercased().contains("domain="), "\(cookie)")
                let activity = try await browser.get(client, "/companies/\(harness.acme.id)/activity")
                #expect(activity.status == .ok)
                #expect(String(buffer: activity.body).contains("Company created"))
            }
        }
    }

    @Test func aSignInWithoutItsFormTokenOrWithAWrongPasswordOpensNoSession() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let page = try await browser.get(client, "/sign-in")
                let forged = try await browser.post(client, "/sign-in", [("csrf", "forged"), ("name", "alice"), ("password", WebHarness.password)])
                #expect(forged.status == .forbidden)
                #expect(browser.cookies["__Host-ipm_session"] == nil)
                let wrong = try await browser.post(
                    client, "/sign-in", [("csrf", Browser.csrf(in: page) ?? ""), ("name", "alice"), ("password", "not the password")])
                #expect(wrong.status == .unauthorized)
                #expect(String(buffer: wrong.body).contains("The sign-in name or password is not correct."))
                #expect(browser.cookies["__Host-ipm_session"] == nil)
            }
        }
    }

    @Test func repeatedFailedSignInsAreThrottledEvenWithTheRightPassword() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = Browser.csrf(in: try await browser.get(client, "/sign-in")) ?? ""
                for _ in 1...5 {
                    let wrong = try await browser.post(client, "/sign-in", [("csrf", csrf), ("name", "alice"), ("password", "not the password")])
                    #expect(wrong.status == .unauthorized)
                }
                let throttled = try await browser.post(client, "/sign-in", [("csrf", csrf), ("name", "alice"), ("password", WebHarness.password)])
                #expect(throttled.status == .tooManyRequests)
                #expect(String(buffer: throttled.body).contains("Too many failed sign-ins."))
                #expect(browser.cookies["__Host-ipm_session"] == nil)
            }
        }
    }

    @Test func settingsListsOnlyTheAdminsCompaniesAndAnotherCompanyIsNotFound() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                _ = try await browser.signIn(client, as: "alice")
                let settings = String(buffer: try await browser.get(client, "/settings").body)
                #expect(settings.contains("Acme") && settings.contains("Not connected") && settings.contains(">Manage</summary>"))
                #expect(!settings.contains("Other Co"))
                for path in [
                    "/no/such/page", "/companies/\(harness.other.id)", "/companies/\(harness.other.id)/api", "/companies/\(CompanyID())/activity",
                    "/companies/not-an-id",
                ] {
                    let response = try await browser.get(client, path)
                    #expect(response.status == .notFound, "\(path)")
                    #expect(!String(buffer: response.body).contains("Other Co"))
                }
            }
        }
    }

    @Test func theAPIPanelLeadsToOAuthAndTheOptInIsBoundToTheBrowserSession() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = try await browser.signIn(client, as: "alice")
                let panel = String(buffer: try await browser.get(client, "/companies/\(harness.acme.id)/api").body)
                #expect(
                    panel.contains("UPS API") && panel.contains("Company: <strong>Acme</strong>") && panel.contains(">Continue</a>")
                        && panel.contains(">Cancel</a>"))
                #expect(panel.contains("If you require assistance, reach out to your Account Executive (Pat &lt;pat@example.com&gt;)."))
                #expect(panel.contains("changing the password for the ups.com user that opted in will invalidate any previous Opt-In"))
                let choice = String(buffer: try await browser.get(client, "/companies/\(harness.acme.id)/api?step=method").body)
                #expect(choice.contains(">OAuth</button>"))

                let forged = try await browser.post(client, "/companies/\(harness.acme.id)/opt-in", [("csrf", "nope")])
                #expect(forged.status == .forbidden)
                #expect(harness.flow.starts.withLock { $0.isEmpty })

                let started = try await browser.post(client, "/companies/\(harness.acme.id)/opt-in", [("csrf", csrf)])
                #expect(started.status == .seeOther)
                #expect(started.headers[.location] == "https://ups.example/authorize?state=s")
                let binding = try #require(harness.flow.starts.withLock { $0.first?.2 })

                let back = try await browser.get(client, "/oauth/ups/callback?code=c&state=s")
                #expect(String(buffer: back.body).contains("Successfully Opted-In to UPS Online Tools (OAuth)"))
                #expect(harness.flow.completions.withLock { $0 } == [binding])
            }
        }
    }

    @Test func aFailedCallbackSaysWhyAndAForeignOneTellsTheCLIPasteUser() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                _ = try await browser.signIn(client, as: "alice")
                harness.flow.failure.withLock { $0 = .deniedAtUPS(error: "access_denied", description: nil) }
                let denied = try await browser.get(client, "/oauth/ups/callback?error=access_denied&state=s")
                #expect(denied.status == .badRequest)
                #expect(String(buffer: denied.body).contains("The opt-in was cancelled at UPS. Nothing was changed."))
                #expect(!String(buffer: denied.body).contains("--paste"))
                harness.flow.failure.withLock { $0 = .foreignSession }
                let foreign = String(buffer: try await browser.get(client, "/oauth/ups/callback?code=c&state=s").body)
                #expect(
                    foreign.contains("If you started this opt-in from the command line with --paste, copy this page&#39;s address into the terminal.")
                        || foreign.contains(
                            "If you started this opt-in from the command line with --paste, copy this page's address into the terminal.")
                )
            }
        }
    }

    @Test func theStartURLAsksToSignInThenConfirmsBeforeGoingToUPS() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let start = "/oauth/ups/start?company=\(harness.acme.id)"
                let away = try await browser.get(client, start)
                #expect(away.headers[.location]?.hasPrefix("/sign-in?next=") == true)
                _ = try await browser.signIn(client, as: "alice")
                let page = try await browser.get(client, start)
                #expect(String(buffer: page.body).contains("Opt in Acme to UPS Online Tools (OAuth)?"))
                #expect(harness.flow.starts.withLock { $0.isEmpty })
                let foreign = try await browser.get(client, "/oauth/ups/start?company=\(harness.other.id)")
                #expect(foreign.status == .notFound)
            }
        }
    }

    @Test func viewersSeeTheStatusButNoControls() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = try await browser.signIn(client, as: "victor")
                let panel = String(buffer: try await browser.get(client, "/companies/\(harness.acme.id)/api?step=method").body)
                #expect(panel.contains("Not connected"))
                #expect(!panel.contains("OAuth</button>") && !panel.contains(">Continue<") && !panel.contains("OPT-OUT"))
                // Starting an opt-in is refused by the flow itself (OptInRouteTests, on the engine).
                let optOut = try await browser.post(client, "/companies/\(harness.acme.id)/opt-out", [("csrf", csrf), ("confirmed", "yes")])
                #expect(optOut.status == .forbidden)
            }
        }
    }

    @Test func anOptOutWithoutTheBrowserConfirmAsksOnAPageAndSignOutEndsTheSession() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let csrf = try await browser.signIn(client, as: "alice")
                let confirm = String(
                    buffer: try await browser.post(client, "/companies/\(harness.acme.id)/opt-out", [("csrf", csrf), ("confirmed", "")]).body)
                #expect(confirm.contains("Are you sure you want to opt out of UPS Online Tools (OAuth)?"))
                // Not authenticated: nothing to opt out of, said plainly, nothing changes; a
                // conflict with the company's state, as the API answers it.
                let refused = try await browser.post(client, "/companies/\(harness.acme.id)/opt-out", [("csrf", csrf), ("confirmed", "yes")])
                #expect(refused.status == .conflict)
                #expect(
                    String(buffer: refused.body).contains("Cannot opt out: the company&#39;s UPS connection is")
                        || String(buffer: refused.body).contains("Cannot opt out: the company's UPS connection is"))

                let oversized = try await browser.post(client, "/sign-out", [("csrf", csrf), ("padding", String(repeating: "x", count: 70_000))])
                #expect(oversized.status == .contentTooLarge)
                let out = try await browser.post(client, "/sign-out", [("csrf", csrf)])
                #expect(out.headers[.location] == "/sign-in?signed-out=1")
                #expect(try await browser.get(client, "/settings").status == .seeOther)
            }
        }
    }

    @Test func aDangerousReturnPathIsIgnored() {
        #expect(WebFront.safeReturnPath("//evil.example/x") == "/settings")
        #expect(WebFront.safeReturnPath("https://evil.example") == "/settings")
        #expect(WebFront.safeReturnPath("/companies/1/api") == "/companies/1/api")
    }
}
