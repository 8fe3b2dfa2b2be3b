import AsyncHTTPClient
import Foundation
import IPMAPIModels
import IPMConsole
import IPMDomain
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `ipm-server`'s JSON API as a console speaks it: JSON in and out, the session token as
/// a bearer token, problem+json turned into the CLI's one-line failures. Redirects are not
/// followed, so the token never travels to another address.
struct ServerAPI: Sendable {
    /// The server's URL without a trailing slash (it may carry a path prefix).
    let base: String
    let client: HTTPClient

    init(server: URL) {
        var base = server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // AsyncHTTPClient retries a refused connection with a backoff until the connect timeout
        // (its issue #743): a server that is down took 5 s to report. The CLI sends one request
        // at a time for a person waiting on it, so a connection that cannot be made fails the
        // request at once; a server that does not answer still takes the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// A status and body the server answered with.
    struct Answer: Sendable {
        let path: String
        let status: Int
        let body: Data
        let headers: HTTPHeaders

        /// The `detail` of a problem+json body, if it is one.
        var problem: String? {
            (try? JSONDecoder().decode(ProblemBody.self, from: body))?.detail
        }
    }

    private struct ProblemBody: Decodable {
        let detail: String
    }

    /// Sends one request; only failing to reach the server throws here.
    func send(_ method: HTTPMethod, _ path: String, token: Secret? = nil, json: (any Encodable & Sendable)? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: base + "/api/v1" + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ipm/\(IPMBuild.version)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token.value)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try APIJSONCoding.encoder().encode(json)))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(40))
            let body = try await response.body.collect(upTo: 4 << 20)
            return Answer(path: path, status: Int(response.status.code), body: Data(body.readableBytesView), headers: response.headers)
        } catch {
            throw ConsoleFailure.unavailable("cannot reach the IPM server at \(base): \(Self.reason(error))")
        }
    }

    /// Decodes a 2xx answer; anything else throws what `failure` makes of it.
    func decode<T: Decodable>(_ type: T.Type, _ answer: Answer, notFound: (any Error)? = nil) throws -> T {
        guard (200..<300).contains(answer.status) else { throw failure(answer, notFound: notFound) }
        do {
            return try APIJSONCoding.decoder().decode(T.self, from: answer.body)
        } catch {
            throw ConsoleFailure.failed(
                "the server at \(base) did not answer like an ipm-server (HTTP \(answer.status)); is it the same version as this ipm?")
        }
    }

    /// What the CLI says about an answer it cannot use: the session ended (401); a company
    /// it may not see as the database mode says it (`notFound`); the server's own words for
    /// other refusals; "try again later" for an unavailable server.
    func failure(_ answer: Answer, notFound: (any Error)? = nil) -> any Error {
        switch answer.status {
        case 401: return ConsoleFailure.notSignedIn
        case 404 where notFound != nil: return notFound!
        case 404:
            return ConsoleFailure.failed(
                "the server at \(base) has no /api/v1\(answer.path.prefix { $0 != "?" }); is it an ipm-server of the same version as this ipm?")
        case 403, 409:
            return ConsoleFailure.failed(answer.problem.map(Self.domainSentence) ?? "the server at \(base) refused (HTTP \(answer.status))")
        case 400..<500: return ConsoleFailure.failed(answer.problem ?? "the server at \(base) refused (HTTP \(answer.status))")
        case 502, 503, 504:
            return ConsoleFailure.unavailable("the IPM server at \(base) is not available (HTTP \(answer.status)); try again later")
        default:
            return ConsoleFailure.failed("the IPM server at \(base) failed (HTTP \(answer.status))" + (answer.problem.map { ": \($0)" } ?? ""))
        }
    }

    /// The API writes the domain's refusals as sentences ("Your role does not allow you to
    /// opt out."); the CLI prints them as the database mode does ("your role does not allow
    /// you to opt out").
    static func domainSentence(_ detail: String) -> String {
        var text = detail
        if text.hasSuffix(".") { text.removeLast() }
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Why a connection failed, in a few words.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let lookup = error.dnsAError ?? error.dnsAAAAError { return reason(lookup) }
            if let first = error.connectionErrors.first { return reason(first.error) }
        }
        if let error = error as? SocketAddressError.UnknownHost {
            return "cannot find host \(error.host) (\(error.errorDescription.lowercased()))"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the connection was closed"
            default: break
            }
        }
        if error is CancellationError { return "cancelled" }
        if error is ChannelError { return "the connection failed" }
        return String(describing: error).prefix(200).replacingOccurrences(of: "\n", with: " ")
    }

    /// A path segment or query value, escaped.
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
