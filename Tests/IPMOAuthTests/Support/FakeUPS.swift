import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// A token request as the fake UPS received it.
struct ReceivedRequest: Sendable {
    let method: String
    let path: String
    let contentType: String?
    let authorization: String?
    let accept: String?
    let body: String

    /// The form body as name → value, `+` and percent-escapes decoded.
    var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}

/// How the fake UPS answers one request.
struct FakeAnswer: Sendable {
    var status: HTTPResponse.Status = .ok
    var body: String = ""
    var contentType = "application/json"
    var location: String?
    /// Wait for this before sending the head.
    var holdHead: Gate?
    /// Send the first byte of the body, then wait for this before the rest.
    var holdBody: Gate?

    static func json(_ status: HTTPResponse.Status, _ body: String) -> FakeAnswer { FakeAnswer(status: status, body: body) }
}

actor ReceivedRequests {
    private(set) var all: [ReceivedRequest] = []
    func append(_ request: ReceivedRequest) { all.append(request) }
}

/// A local stand-in for UPS's token service on a real socket (kernel-picked port), answering
/// `POST /security/v1/oauth/token` and `/refresh` with whatever the test says.
enum FakeUPS {
    static func run(
        answer: @escaping @Sendable (ReceivedRequest) async -> FakeAnswer,
        _ test: @Sendable (_ baseURL: URL, _ received: ReceivedRequests) async throws -> Void
    ) async throws {
        let received = ReceivedRequests()
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            let seen = ReceivedRequest(
                method: request.method.rawValue, path: request.uri.path,
                contentType: request.headers[.contentType], authorization: request.headers[.authorization],
                accept: request.headers[.accept], body: String(buffer: body)
            )
            await received.append(seen)
            let reply = await answer(seen)
            await reply.holdHead?.wait()
            var headers: HTTPFields = [.contentType: reply.contentType]
            if let location = reply.location { headers[.location] = location }
            guard let holdBody = reply.holdBody else {
                return Response(status: reply.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: reply.body)))
            }
            return Response(
                status: reply.status, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: String(reply.body.prefix(1))))
                    await holdBody.wait()
                    try await writer.write(ByteBuffer(string: String(reply.body.dropFirst())))
                    try await writer.finish(nil)
                })
        }
        router.post("/security/v1/oauth/token", use: handler)
        router.post("/security/v1/oauth/refresh", use: handler)
        var logger = Logger(label: "fake-ups")
        logger.logLevel = .critical
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await application.test(.live) { client in
            let port = try #require(client.port)
            try await test(URL(string: "http://127.0.0.1:\(port)")!, received)
        }
    }

    /// A token response as UPS sends it: every value a string.
    static func tokenJSON(access: String = "access-1", refresh: String = "refresh-1", expiresIn: String = "14399") -> String {
        """
        {"token_type":"Bearer","issued_at":"1706710138962","client_id":"client-abc","access_token":"\(access)",\
        "refresh_token":"\(refresh)","scope":"read","expires_in":"\(expiresIn)","refresh_count":"0",\
        "refresh_token_expires_in":"5183999","refresh_token_issued_at":"1706710138962",\
        "refresh_token_status":"approved","status":"approved"}
        """
    }

    static func envelope(code: String, message: String) -> String {
        #"{"response":{"errors":[{"code":"\#(code)","message":"\#(message)"}]}}"#
    }
}
