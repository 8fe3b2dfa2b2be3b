import Foundation
import Hummingbird
import NIOCore

/// An `application/problem+json` answer (RFC 9457). `detail` never names a company the
/// caller may not see.
struct Problem: Error, Encodable, Sendable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    /// An extension member: the outcome's short word where one route answers several (a forced refresh).
    var outcome: String?

    init(_ status: HTTPResponse.Status, _ detail: String) {
        type = "about:blank"
        title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
    }

    var response: Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)) ?? Data()
        var headers = Pages.securityHeaders(contentType: "application/problem+json")
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
