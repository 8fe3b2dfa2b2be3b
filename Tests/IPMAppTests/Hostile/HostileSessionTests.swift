import Foundation
import IPMDomain
import Testing

/// Sessions and what protects them (issue 11, point 8, the server's part): `__Host-` cookies
/// and HSTS when `IPM_PUBLIC_URL` is https, a CSP that limits forms and `<base>`, a sign-in
/// that ends the session of the cookie the browser already had (a planted one included), and
/// a disabled account whose sign-in reads exactly like a wrong password.
@Suite("Hostile input: sessions, cookies and headers")
struct HostileSessionTests {
    static let https = ["IPM_PUBLIC_URL": "https://ipm.example.test"]

    @Test func overHTTPSCookiesAreHostPrefixedAndEveryAnswerCarriesHSTS() async throws {
        try await HostileServer.with(environment: Self.https) { server in
            var browser = RawBrowser()
            let signedIn = try await server.webSignIn("alice", browser: &browser)
            #expect(signedIn.status == 303, "\(signedIn)")
            let form = try await server.request("GET", "/sign-in")
            for cookie in [signedIn.setCookie("__Host-ipm_session"), form.setCookie("__Host-ipm_form")] {
                let cookie = try #require(cookie, "\(signedIn) \(form)")
                #expect(
                    cookie.contains("Secure") && cookie.contains("Path=/") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
                    "\(cookie)")
                #expect(!cookie.lowercased().contains("domain="), "\(cookie)")
            }
            #expect(browser.cookies["ipm_session"] == nil && browser.cookies["ipm_form"] == nil)
            // The unprefixed name a sibling host could plant is not a session here.
            let token = try #require(browser.cookies["__Host-ipm_session"])
            let planted = try await server.request("GET", "/settings", headers: [("Cookie", "ipm_session=\(token)")])
            #expect(planted.status == 303 && planted.header("location")?.hasPrefix("/sign-in") == true, "\(planted)")

            let cookie = [("Cookie", browser.cookieHeader ?? "")]
            let requests: [(path: String, headers: [(String, String)])] = [
                ("/healthz", []), ("/settings", cookie), ("/sign-in", []), ("/api/v1/companies", []), ("/no-such-page", cookie), ("/metrics", []),
                ("/", []),
            ]
            for (path, headers) in requests {
                let answer = try await server.request("GET", path, headers: headers)
                #expect(answer.header("strict-transport-security") == "max-age=31536000", "GET \(path): \(answer)")
            }
        }
    }

    @Test func overHTTPThereIsNoHSTSAndCookiesKeepTheirPlainNames() async throws {
        try await HostileServer.with { server in
            var browser = RawBrowser()
            let signedIn = try await server.webSignIn("alice", browser: &browser)
            let cookie = try #require(signedIn.setCookie("ipm_session"), "\(signedIn)")
            #expect(!cookie.contains("Secure"), "\(cookie)")
            #expect(signedIn.header("strict-transport-security") == nil)
            #expect(try await server.request("GET", "/healthz").header("strict-transport-security") == nil)
        }
    }

    @Test func pagesForbidForeignFormTargetsAndBaseButLetTheOptInGoToUPS() async throws {
        try await HostileServer.with { server in
            var browser = RawBrowser()
            _ = try await server.webSignIn("alice", browser: &browser)
            let page = try await server.request("GET", "/companies/\(server.acme.id)/api", headers: [("Cookie", browser.cookieHeader ?? "")])
            let policy = try #require(page.header("content-security-policy"), "\(page)")
            var directives: [String: [String]] = [:]
            for directive in policy.split(separator: ";") {
                let words = directive.split(separator: " ").map(String.init)
                if let name = words.first { directives[name] = Array(words.dropFirst()) }
            }
            #expect(directives["default-src"] == ["'self'"], "\(policy)")
            #expect(directives["frame-ancestors"] == ["'none'"], "\(policy)")
            #expect(directives["base-uri"] == ["'none'"], "\(policy)")
            // The opt-in form's answer redirects to UPS's authorization page: that origin, and no other.
            let form = try #require(directives["form-action"], "\(policy)")
            #expect(form.first == "'self'" && form.count == 2 && form[1].hasPrefix("http://127.0.0.1:"), "\(policy)")
            // Answers that are not pages carry the strict policy.
            let problem = try await server.request("GET", "/api/v1/companies")
            #expect(
                problem.header("content-security-policy") == "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                "\(problem)")
        }
    }

    @Test func signingInEndsTheSessionOfTheCookieTheBrowserAlreadyHad() async throws {
        try await HostileServer.with { server in
            // mallory signs in and plants her session cookie in alice's browser.
            var mallory = RawBrowser()
            _ = try await server.webSignIn("mallory", browser: &mallory)
            let planted = try #require(mallory.cookies["ipm_session"])
            var alice = RawBrowser()
            alice.cookies["ipm_session"] = planted
            let before = try await server.state()
            let signedIn = try await alice.signingIn(server, "alice")
            #expect(signedIn.status == 303, "\(signedIn)")
            #expect(alice.cookies["ipm_session"] != planted)
            // mallory's session is over: her cookie no longer opens a page, here or in her own browser.
            let stale = try await server.request("GET", "/settings", headers: [("Cookie", "ipm_session=\(planted)")])
            #expect(stale.status == 303 && stale.header("location")?.hasPrefix("/sign-in") == true, "\(stale)")
            // One session ended, one began.
            #expect(try await server.state() == before)

            // Signing in again in the same browser replaces the session too.
            let first = try #require(alice.cookies["ipm_session"])
            _ = try await alice.signingIn(server, "alice")
            let old = try await server.request("GET", "/settings", headers: [("Cookie", "ipm_session=\(first)")])
            #expect(old.status == 303, "\(old)")
            #expect(try await server.request("GET", "/settings", headers: [("Cookie", alice.cookieHeader ?? "")]).status == 200)
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }

    @Test func aDisabledAccountsSignInReadsExactlyLikeAWrongPassword() async throws {
        try await HostileServer.with { server in
            #expect(try await server.operatorCommand("admin", "disable", "victor").status == 0)
            let before = try await server.state()
            func apiSignIn(_ name: String, _ password: String) async throws -> RawResponse {
                try await server.request(
                    "POST", "/api/v1/sessions", headers: [("Content-Type", "application/json")],
                    body: #"{"signInName":"\#(name)","password":"\#(password)"}"#)
            }
            let disabled = try await apiSignIn("victor", HostileServer.password)
            let wrong = try await apiSignIn("alice", "not the password 1")
            let unknown = try await apiSignIn("nobody", "not the password 1")
            for answer in [disabled, wrong, unknown] {
                #expect(answer.status == 401, "\(answer)")
                #expect(answer.body == wrong.body, "\(answer.body) vs \(wrong.body)")
            }
            #expect(!disabled.body.lowercased().contains("disabled"))

            func webError(_ name: String, _ password: String) async throws -> (Int, String) {
                var browser = RawBrowser()
                let page = try await server.webSignIn(name, password: password, browser: &browser)
                let error =
                    page.body.range(of: #"<p class="error"[^>]*>[^<]*</p>"#, options: .regularExpression).map { String(page.body[$0]) }
                    ?? "no error shown"
                return (page.status, error)
            }
            let webDisabled = try await webError("victor", HostileServer.password)
            let webWrong = try await webError("alice", "not the password 1")
            #expect(webDisabled.0 == 401 && webWrong.0 == 401)
            #expect(webDisabled.1 == webWrong.1, "\(webDisabled.1) vs \(webWrong.1)")
            #expect(webWrong.1.contains("The sign-in name or password is not correct."))
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }
}

extension RawBrowser {
    /// `HostileServer.webSignIn` for a browser held in a variable of its own.
    mutating func signingIn(_ server: HostileServer, _ name: String) async throws -> RawResponse {
        try await server.webSignIn(name, browser: &self)
    }
}
