import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// `303 See Other` to `location`, not cached.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// One of the static assets, cached for five minutes.
    static func asset(_ text: String, type: String) -> Response {
        var headers = Pages.securityHeaders(contentType: type)
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `value` as the API's JSON: ISO 8601 dates, sorted keys, not cached.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        json(encoded: try apiEncoder.encode(value), status: status)
    }

    /// JSON already written (`AccessTokenJSON.encodedJSON()`), with the API's headers.
    static func json(encoded bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The same for every JSON answer, so made once.
    private static let jsonHeaders: HTTPFields = {
        var headers = Pages.securityHeaders(contentType: "application/json")
        headers[.cacheControl] = "no-store"
        return headers
    }()

    /// Configured once and shared: encoding does not change it, and making one per answer
    /// showed in the token API's profile.
    private static let apiEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
