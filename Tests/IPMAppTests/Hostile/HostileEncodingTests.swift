import Foundation
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Testing

/// Text IPM does not read (issue 13): a sign-in name with a NUL byte, posted through the web's
/// sign-in form, was answered 500 (PostgreSQL rightly refuses the value and nothing turned
/// that into a clear answer). Every input of the HTTP front — form fields, JSON bodies, query
/// strings, paths — that carries a NUL or text that is not UTF-8 is now a 400 that changes
/// nothing: a page for the web, problem+json for the API.
@Suite("Hostile input: NUL bytes and text that is not UTF-8")
struct HostileEncodingTests {
    /// The web's forms: sign-in and sign-up fields, percent-encoded as a browser sends them.
    @Test func aFormFieldWithANulOrNotUTF8IsAClearPageNotA500() async throws {
        try await HostileServer.with { server in
            let before = try await server.state()
            for name in ["al\u{0}ice", "\u{0}", "alice\u{0}"] {
                var browser = RawBrowser()
                let answer = try await server.webSignIn(name, browser: &browser)
                Self.expectPage(answer, "sign-in name \(name.debugDescription)")
                #expect(browser.cookies.keys.allSatisfy { !$0.hasSuffix("ipm_session") }, "no session")
            }
            // A password or the return path with a NUL; a name whose bytes are not UTF-8.
            var browser = RawBrowser()
            let page = try await server.request("GET", "/sign-in")
            browser.keep(page)
            let csrf = (RawBrowser.csrf(in: page) ?? "").formEscaped
            for body in [
                "csrf=\(csrf)&name=alice&password=hostile%00password%201", "csrf=\(csrf)&name=alice&password=x&next=/settings%00",
                "csrf=\(csrf)&name=al%FFice&password=x", "csrf=\(csrf)&name=%C3&password=x",
            ] {
                let answer = try await server.request("POST", "/sign-in", headers: server.formHeaders(browser), body: body)
                Self.expectPage(answer, body)
            }
            // Nothing was tried: no failure counted against any name or address, no session.
            #expect(try await server.count("SELECT count(*)::bigint AS n FROM sign_in_failures") == 0)
            let signUp = try await server.request(
                "POST", "/signup", headers: server.formHeaders(browser), body: "invitation=x&name=newcomer&displayName=New%00comer")
            Self.expectPage(signUp, "sign-up")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }

    /// The JSON API: a `\u0000` in a string of the body, a NUL in the query or the path.
    @Test func aJSONBodyQueryOrPathWithANulIsAProblemNotA500() async throws {
        try await HostileServer.with { server in
            let token = try await server.apiToken("alice")
            let bearer = [("Authorization", "Bearer \(token)")]
            let json = [("Content-Type", "application/json")]
            let before = try await server.state()
            for body in [
                #"{"signInName":"al\u0000ice","password":"hostile password 1"}"#, #"{"signInName":"alice","password":"hostile\u0000password 1"}"#,
            ] {
                Self.expectProblem(try await server.request("POST", "/api/v1/sessions", headers: json, body: body), body)
            }
            #expect(try await server.count("SELECT count(*)::bigint AS n FROM sign_in_failures") == 0)
            Self.expectProblem(
                try await server.request("POST", "/api/v1/api-tokens", headers: json + bearer, body: #"{"name":"ci\u0000","days":3}"#), "token name")
            // An escaped backslash before u0000 is text, not a NUL: an ordinary name check answers.
            let text = try await server.request("POST", "/api/v1/sessions", headers: json, body: #"{"signInName":"al\\u0000ice","password":"x"}"#)
            #expect(text.status == 401, "\(text)")
            for path in [
                "/api/v1/companies?status=authenticated%00", "/api/v1/companies/\(server.acme.id)/events?before=%00", "/api/v1/companies/%00",
                "/api/v1/companies/\(server.acme.id)%00/opt-out", "/api/v1/notifications?unread=%FF",
            ] {
                let method = path.hasSuffix("opt-out") ? "POST" : "GET"
                Self.expectProblem(try await server.request(method, path, headers: bearer), path)
            }
            // The web's pages and links likewise.
            var browser = RawBrowser()
            _ = try await server.webSignIn("alice", browser: &browser)
            for path in [
                "/companies/\(server.acme.id)/activity?before=%00", "/sign-in?next=/settings%00", "/companies/%00", "/signup?invitation=%C3%28",
            ] {
                Self.expectPage(try await server.request("GET", path, headers: [("Cookie", browser.cookieHeader ?? "")]), path)
            }
            #expect(try await server.state().counts.filter { $0.key != "live sessions" } == before.counts.filter { $0.key != "live sessions" })
            try await server.expectStillServing()
        }
    }

    private static func expectPage(_ answer: RawResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == 400, "\(what): \(answer)", sourceLocation: sourceLocation)
        #expect(answer.header("content-type")?.hasPrefix("text/html") == true, "\(what): \(answer)", sourceLocation: sourceLocation)
        #expect(
            answer.body.contains("carries a NUL character or text that is not UTF-8"), "\(what): \(answer.body.prefix(2000))",
            sourceLocation: sourceLocation)
    }

    private static func expectProblem(_ answer: RawResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == 400, "\(what): \(answer)", sourceLocation: sourceLocation)
        #expect(answer.header("content-type") == "application/problem+json", "\(what): \(answer)", sourceLocation: sourceLocation)
        #expect(answer.body.contains("carries a NUL character or text that is not UTF-8"), "\(what): \(answer.body)", sourceLocation: sourceLocation)
    }
}

extension HostileServer {
    /// One number from the database.
    fileprivate func count(_ sql: String) async throws -> Int {
        let rows = try await database.client.query(SQL(unsafeText: sql))
        return try rows.first?.decode("n", as: Int.self) ?? 0
    }
}
