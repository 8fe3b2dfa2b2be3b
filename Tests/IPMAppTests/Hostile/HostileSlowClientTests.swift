import Foundation
import IPMDomain
import Testing

/// Slow, silent and bloated clients (issue 11, point 6): the server used to have no idle or
/// read timeout, so a client could hold a socket for ever by saying nothing, or by sending a
/// request a byte at a time; headers could be 80 KiB. The server here runs with a 2-second
/// idle and a 3-second read timeout (`IPM_HTTP_IDLE_TIMEOUT`, `IPM_HTTP_READ_TIMEOUT`) and the
/// default 32 KiB of headers.
@Suite("Hostile input: slow and bloated clients")
struct HostileSlowClientTests {
    static let timeouts = ["IPM_HTTP_IDLE_TIMEOUT": "2", "IPM_HTTP_READ_TIMEOUT": "3"]
    /// Well past both timeouts, well short of "for ever".
    static let patience = 10.0

    @Test func aSilentOrIdleConnectionIsClosed() async throws {
        try await HostileServer.with(environment: Self.timeouts) { server in
            let before = try await server.state()
            let port = server.port
            // Connects and sends nothing.
            let silent = try await onThread { try RawConnection(port: port).isClosed(within: Self.patience) }
            #expect(silent, "a connection that sent nothing was still open after \(Self.patience) s")
            // One request answered on a kept-alive connection, then silence.
            let (answered, closed) = try await onThread {
                let connection = try RawConnection(port: port)
                connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let first = connection.readUntilClosed(seconds: 1)
                return (String(decoding: first.bytes, as: UTF8.self), first.closed || connection.isClosed(within: Self.patience))
            }
            #expect(answered.hasPrefix("HTTP/1.1 200"), "\(answered)")
            #expect(closed, "an idle kept-alive connection was still open after \(Self.patience) s")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }

    @Test func aRequestTrickledAByteAtATimeIsCut() async throws {
        try await HostileServer.with(environment: Self.timeouts) { server in
            let before = try await server.state()
            let port = server.port
            // The head, one byte every 0.4 s: each byte resets a per-byte timer, not the idle one.
            let head = try await onThread {
                let connection = try RawConnection(port: port)
                connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                return connection.trickle(Array("X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8), every: 0.4, for: Self.patience)
            }
            #expect(head != nil, "a head trickled for \(Self.patience) s was never cut")
            // A whole head, then the body one byte every 0.4 s: the read timeout cuts it.
            let body = try await onThread {
                let connection = try RawConnection(port: port)
                connection.send("POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n")
                return connection.trickle(Array(#"{"signInName":"alice","password":"#.utf8), every: 0.4, for: Self.patience)
            }
            let cut = try #require(body, "a body trickled for \(Self.patience) s was never cut")
            #expect(cut >= 2.5, "cut after \(cut) s, before the 3-second read timeout: the idle timeout should not fire while bytes arrive")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }

    @Test func oversizedHeadersAreRefusedAndTheConnectionClosed() async throws {
        try await HostileServer.with { server in
            let before = try await server.state()
            // Over the 32 KiB default: one huge field, and the same spread over many.
            let huge = try await server.send("GET", "/healthz", headers: [("X-Filler", String(repeating: "a", count: 40 * 1024))])
            #expect(huge?.status == 400, "\(huge?.description ?? "no answer")")
            let many = try await server.send("GET", "/healthz", headers: (0..<150).map { ("X-Field-\($0)", "v") })
            #expect(many?.status == 400, "\(many?.description ?? "no answer")")
            let longURL = try await server.send("GET", "/healthz?" + String(repeating: "q", count: 40 * 1024))
            #expect(longURL?.status == 400, "\(longURL?.description ?? "no answer")")
            // Large but within the limit (a deployment's cookies, say) is still served.
            let large = try await server.request("GET", "/healthz", headers: [("Cookie", "other_app=" + String(repeating: "c", count: 20 * 1024))])
            #expect(large.status == 200, "\(large)")
            #expect(try await server.state() == before)
            try await server.expectStillServing()
        }
    }
}
