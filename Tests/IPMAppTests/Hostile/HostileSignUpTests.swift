import Foundation
import IPMDomain
import Testing

/// The invitation sign-up form (issue 11, point 8): it used to say "The sign-in name 'mallory'
/// is already taken" for a name of any company, as often as asked, so one invitation link
/// listed every tenant's sign-in names. Now the words say nothing about the account, and the
/// attempts that reach the name check are counted per invitation and per address.
@Suite("Hostile input: sign-up by invitation")
struct HostileSignUpTests {
    /// alice (admin of Acme) creates a viewer invitation; its token.
    static func invitation(_ server: HostileServer) async throws -> String {
        var alice = RawBrowser()
        _ = try await server.webSignIn("alice", browser: &alice)
        let company = try await server.request("GET", "/companies/\(server.acme.id)", headers: [("Cookie", alice.cookieHeader ?? "")])
        let csrf = try #require(RawBrowser.csrf(in: company), "\(company)")
        let created = try await server.request(
            "POST", "/companies/\(server.acme.id)/invitations", headers: server.formHeaders(alice), body: "csrf=\(csrf.formEscaped)&role=viewer")
        return try #require(created.body.firstMatch(of: /ipm_inv_[A-Za-z0-9_\-]+/).map { String($0.output) }, "\(created)")
    }

    /// A newcomer's sign-up with `name`: the form page, then the post.
    static func signUp(_ server: HostileServer, token: String, name: String) async throws -> RawResponse {
        var browser = RawBrowser()
        let page = try await server.request("GET", "/signup?invitation=\(token)")
        browser.keep(page)
        let password = "newcomer password 1"
        let fields = [
            ("csrf", RawBrowser.csrf(in: page) ?? ""), ("invitation", token), ("name", name), ("password", password),
            ("passwordConfirmation", password),
        ]
        return try await server.request(
            "POST", "/signup", headers: server.formHeaders(browser), body: fields.map { "\($0.0)=\($0.1.formEscaped)" }.joined(separator: "&"))
    }

    /// The error paragraph of a page.
    static func error(_ page: RawResponse) -> String {
        page.body.range(of: #"<p class="error"[^>]*>[^<]*</p>"#, options: .regularExpression).map { String(page.body[$0]) } ?? "no error shown"
    }

    @Test func aTakenNameSaysNothingAboutItsAccountAndAskingIsThrottled() async throws {
        try await HostileServer.with { server in
            let token = try await Self.invitation(server)
            let before = try await server.state()
            // mallory belongs to another company, victor to this one: the same answer, naming neither.
            let otherCompany = try await Self.signUp(server, token: token, name: "mallory")
            let sameCompany = try await Self.signUp(server, token: token, name: "VICTOR")
            for answer in [otherCompany, sameCompany] {
                #expect(answer.status == 409, "\(answer)")
                #expect(
                    Self.error(answer)
                        == #"<p class="error" role="alert" id="error">This sign-in name cannot be used. Please choose another one.</p>"#,
                    "\(Self.error(answer))")
                #expect(!answer.body.contains("Other Co"))
            }
            // Five attempts per invitation in 15 minutes reach the name check; the sixth does
            // not, even with a free name, and creates nothing.
            for name in ["alice", "mallory"] {
                #expect(try await Self.signUp(server, token: token, name: name).status == 409)
            }
            let fifth = try await Self.signUp(server, token: token, name: "victor")
            #expect(fifth.status == 409, "\(fifth)")
            let throttled = try await Self.signUp(server, token: token, name: "newcomer")
            #expect(throttled.status == 429, "\(throttled)")
            #expect(Self.error(throttled).contains("Too many sign-up attempts. Nothing was changed; try again in"), "\(Self.error(throttled))")
            #expect(Int(throttled.header("retry-after") ?? "") ?? 0 > 0, "\(throttled)")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }
}
