import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IPMDomain
import IPMPostgres
import IPMTestSupport
import Testing

@testable import IPMHTTP

/// The one rule for request text (`InputText`): UTF-8 without NUL, checked where forms, JSON
/// bodies, query strings and paths are decoded, answered 400 by each front.
@Suite("Input encoding")
struct InputEncodingTests {
    @Test(
        "percent-decoding keeps text, refuses a NUL or bytes that are not UTF-8",
        arguments: [
            ("caf%C3%A9", "café"), ("a+b", "a b"), ("%zz", "%zz"), ("100%", "100%"), ("%41%42", "AB"), ("%E2%80%8B", "\u{200B}"),
        ])
    func decodes(_ encoded: String, _ text: String) {
        #expect(InputText.percentDecoded(encoded.utf8, plusIsSpace: true) == text)
    }

    @Test("refused", arguments: ["%00", "a%00b", "%FF", "%C3", "%C3%28", "%ED%A0%80", "%F4%90%80%80"])
    func refuses(_ encoded: String) {
        #expect(InputText.percentDecoded(encoded.utf8) == nil)
    }

    @Test func aJSONBodyIsRefusedForANulByteEscapeOrNotUTF8ButNotForAnEscapedBackslash() {
        #expect(!InputText.isAcceptableJSON(Array(#"{"a":"x\u0000"}"#.utf8)))
        #expect(!InputText.isAcceptableJSON(Array(#"{"a":"\\\u0000"}"#.utf8)), "an escaped backslash, then the NUL escape")
        #expect(!InputText.isAcceptableJSON([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x00, 0x22, 0x7D]))
        #expect(!InputText.isAcceptableJSON([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]))
        #expect(InputText.isAcceptableJSON(Array(#"{"a":"\\u0000","b":"\u00e9\n"}"#.utf8)))
    }

    @Test func aFormIsReadOnlyWhenAllOfItIsText() throws {
        let form = try PostedForm(encoded: Array("name=al+ice&next=%2Fsettings&x=%zz".utf8))
        #expect(form["name"] == "al ice" && form["next"] == "/settings" && form["x"] == "%zz")
        #expect(throws: UnreadableInput(place: .form)) { try PostedForm(encoded: Array("name=al%00ice".utf8)) }
        #expect(throws: UnreadableInput(place: .form)) { try PostedForm(encoded: Array("na%00me=alice".utf8)) }
        #expect(throws: UnreadableInput(place: .form)) { try PostedForm(encoded: [0x6E, 0x3D, 0xC3]) }
    }

    @Test func theWebSignInFormWithANulIsA400PageAndSignsNobodyIn() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                var browser = Browser()
                let page = try await browser.get(client, "/sign-in")
                let answer = try await browser.post(
                    client, "/sign-in", [("csrf", Browser.csrf(in: page) ?? ""), ("name", "al\u{0}ice"), ("password", WebHarness.password)])
                #expect(answer.status == .badRequest)
                #expect(answer.headers[.contentType] == "text/html; charset=utf-8")
                #expect(
                    String(buffer: answer.body).contains("The request&#39;s form carries a NUL character or text that is not UTF-8")
                        || String(buffer: answer.body).contains("The request's form carries a NUL character or text that is not UTF-8"))
                #expect(browser.cookies["__Host-ipm_session"] == nil)
                var headers = browser.headers
                headers[.contentType] = "application/x-www-form-urlencoded"
                let raw = try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers, body: ByteBuffer(bytes: Array("name=".utf8) + [0xC3, 0x28]))
                #expect(raw.status == .badRequest)
                let rows = try await harness.database.client.query("SELECT count(*)::bigint AS n FROM sign_in_failures")
                #expect(try rows.first?.decode("n", as: Int.self) == 0, "nothing was tried")
            }
        }
    }

    @Test func theAPIAnswersAProblemForABodyQueryOrPathThatIsNotText() async throws {
        try await WebHarness.with { harness in
            try await harness.test { client in
                let json: HTTPFields = [.contentType: "application/json"]
                let bodies: [[UInt8]] = [
                    Array(#"{"signInName":"al\u0000ice","password":"x"}"#.utf8),
                    Array(#"{"signInName":"al"#.utf8) + [0xFF] + Array(#"ice","password":"x"}"#.utf8),
                ]
                for body in bodies {
                    let answer = try await client.execute(uri: "/api/v1/sessions", method: .post, headers: json, body: ByteBuffer(bytes: body))
                    #expect(answer.status == .badRequest)
                    #expect(answer.headers[.contentType] == "application/problem+json")
                    #expect(String(buffer: answer.body).contains("JSON body carries a NUL character or text that is not UTF-8"))
                }
                for uri in ["/api/v1/companies?status=%00", "/api/v1/companies/%00", "/api/v1/companies/\(harness.acme.id)/events?before=%C3"] {
                    let answer = try await client.execute(uri: uri, method: .get)
                    #expect(answer.status == .badRequest, "\(uri)")
                    #expect(answer.headers[.contentType] == "application/problem+json", "\(uri)")
                }
            }
        }
    }
}
