import Foundation
import IPMDomain
import Testing

/// Where a sign-in sends the browser (issue 11, point 2). `next=/%09/evil.example` used to
/// pass the check, which refused only `//` and `/\`, and became `Location: /<TAB>/evil.example`;
/// browsers drop the tab and go to `//evil.example`. Only a path of this site may come back.
@Suite("Hostile input: redirects after sign-in")
struct HostileRedirectTests {
    /// `next` values (as the form field's decoded text) that a browser could follow off-site,
    /// or that carry characters a `Location` must not.
    static let hostile = [
        "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/%0a/evil.example", "/\r\n/evil.example",
        "/%0D%0ASet-Cookie:%20x=y", "//evil.example", "///evil.example", "/\\evil.example", "/%5Cevil.example",
        "/%5C%5Cevil.example", "/%2F/evil.example", "/%2f%2fevil.example", "https://evil.example/", "http:evil.example",
        "javascript:alert(1)", "evil.example", "", " /settings", "/\u{00A0}/evil.example", "/%E2%80%8B/evil.example",
        "/\u{200B}/evil.example", "/%00/evil.example", "/%zz", "/sign-in?next=//evil.example",
    ]

    @Test func aSignInReturnsOnlyToAPathOfThisSite() async throws {
        try await HostileServer.with { server in
            var browser = RawBrowser()
            _ = try await server.webSignIn("alice", browser: &browser)
            let before = try await server.state()
            for next in Self.hostile {
                let answer = try await server.webSignIn("alice", next: next, browser: &browser)
                #expect(answer.status == 303, "next=\(next.debugDescription): \(answer)")
                #expect(answer.header("location") == "/settings", "next=\(next.debugDescription): \(answer)")
            }
            // A link that carries it in the query: the form it shows keeps only /settings.
            for next in ["/%09/evil.example", "/%5Cevil.example", "%2F%2Fevil.example", "/%0d%0a/evil.example"] {
                let page = try await server.request("GET", "/sign-in?next=\(next)")
                #expect(page.status == 200, "\(page)")
                #expect(page.body.contains(#"name="next" value="/settings""#), "next=\(next): \(page.body.prefix(3000))")
                // Signed in already, the same link redirects at once, and to /settings.
                let signedIn = try await server.request("GET", "/sign-in?next=\(next)", headers: [("Cookie", browser.cookieHeader ?? "")])
                #expect(signedIn.status == 303 && signedIn.header("location") == "/settings", "next=\(next): \(signedIn)")
            }
            // Paths of this site still come back, query included.
            for next in ["/companies/\(server.acme.id)/activity", "/settings/api-tokens", "/companies/\(server.acme.id)/activity?before=1_x"] {
                let answer = try await server.webSignIn("alice", next: next, browser: &browser)
                #expect(answer.header("location") == next, "\(answer)")
            }
            // Every sign-in replaced the browser's previous session: still one live session.
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }
}
