import Foundation
import IPMDomain
import Testing

/// Cursors and numbers in requests (issue 11, point 1): an audit cursor at the top of the
/// Int64 range used to overflow the date's round trip to microseconds and stop the process,
/// from the API and from a plain link to the web's Activity page. Any member (a viewer too)
/// could do it. Every out-of-range value is now a 400 and the server keeps serving.
@Suite("Hostile input: cursors and numbers")
struct HostileCursorTests {
    /// `before=` values that are not a position IPM could have made: the Int64 extremes, a
    /// number too long for an Int64, negative time, past the year 9999, junk.
    static func hostileCursors(_ id: String) -> [String] {
        [
            "9223372036854775807_\(id)", "-9223372036854775808_\(id)", "9223372036854775808_\(id)",
            "99999999999999999999_\(id)", "253402300800000000_\(id)", "-1_\(id)", "1e300_\(id)",
            "nan_\(id)", "12_not-a-uuid", "_\(id)", "9223372036854775807",
        ]
    }

    @Test func anAuditCursorAtTheTopOfTheRangeIsABadRequestForTheAPINotACrash() async throws {
        try await HostileServer.with { server in
            let token = try await server.apiToken("victor")
            let bearer = [("Authorization", "Bearer \(token)")]
            let events = "/api/v1/companies/\(server.acme.id)/events"
            let before = try await server.state()
            for cursor in Self.hostileCursors(UUID().uuidString.lowercased()) {
                let answer = try await server.request("GET", "\(events)?before=\(cursor)", headers: bearer)
                #expect(answer.status == 400, "before=\(cursor): \(answer)")
                #expect(answer.header("content-type") == "application/problem+json", "before=\(cursor)")
                #expect(answer.body.contains("before must be the next value of an earlier page"), "before=\(cursor): \(answer.body)")
                try await server.expectStillServing()
            }
            for limit in ["9223372036854775807", "-9223372036854775808", "99999999999999999999", "0", "501", "1e3"] {
                for path in ["\(events)?limit=\(limit)", "/api/v1/notifications?limit=\(limit)"] {
                    let answer = try await server.request("GET", path, headers: bearer)
                    #expect(answer.status == 400, "\(path): \(answer)")
                    #expect(answer.body.contains("limit must be a whole number from 1 to 500"), "\(path): \(answer.body)")
                }
            }
            // The last moment a cursor may name is still an ordinary (empty) page.
            let latest = try await server.request("GET", "\(events)?before=253402300799999999_\(UUID().uuidString.lowercased())", headers: bearer)
            #expect(latest.status == 200, "\(latest)")

            // A real cursor still pages.
            let first = try await server.request("GET", "\(events)?limit=1", headers: bearer)
            let next = try #require((try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any])?["next"] as? String, "\(first)")
            let second = try await server.request("GET", "\(events)?limit=1&before=\(next)", headers: bearer)
            #expect(second.status == 200, "\(second)")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }

    @Test func anAuditCursorInAnActivityLinkIsAClearPageNotACrash() async throws {
        try await HostileServer.with { server in
            var browser = RawBrowser()
            let signedIn = try await server.webSignIn("victor", browser: &browser)
            #expect(signedIn.status == 303, "\(signedIn)")
            let cookie = [("Cookie", browser.cookieHeader ?? "")]
            let activity = "/companies/\(server.acme.id)/activity"
            let before = try await server.state()
            for cursor in Self.hostileCursors(UUID().uuidString.lowercased()) {
                let page = try await server.request("GET", "\(activity)?before=\(cursor)", headers: cookie)
                #expect(page.status == 400, "before=\(cursor): \(page)")
                #expect(page.header("content-type")?.hasPrefix("text/html") == true, "before=\(cursor)")
                #expect(page.body.contains("This activity link is not valid"), "before=\(cursor): \(page.body.prefix(2000))")
                #expect(page.body.contains(#"href="\#(activity)""#), "a way back to the newest activity")
                try await server.expectStillServing()
            }
            let newest = try await server.request("GET", activity, headers: cookie)
            #expect(newest.status == 200, "\(newest)")
            #expect(newest.body.contains("Company created"))
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }
}
