public import AsyncHTTPClient
public import Foundation
import NIOCore
public import NIOHTTP1

/// Plays the UPS.com user in a browser, over HTTP: follows the authorization URL to the
/// sign-in page, enters the username and ticks the agreement, enters the password, and
/// returns where UPS sends the browser back (the redirect URI with `code` and `state`).
/// Reads the forms as a browser would (their action and hidden fields), so it works on the
/// sandbox's pages without knowing their internals.
public struct UPSSignInDriver: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case unexpected(String)
        public var description: String {
            switch self {
            case .unexpected(let text): "UPS sign-in went wrong: \(text)"
            }
        }
    }

    /// A client that does not follow redirects: each step is looked at.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// The whole sign-in; `cancel` presses Cancel on the first page instead.
    public func signIn(authorizationURL: URL, username: String, password: String, cancel: Bool = false) async throws -> URL {
        let signInPage = try await redirectTarget(of: authorizationURL, method: .GET)
        let first = try await page(signInPage)
        var fields = first.hiddenFields
        fields["username"] = username
        if cancel {
            fields["action"] = "cancel"
            return try await redirectTarget(of: first.action(relativeTo: signInPage), method: .POST, form: fields)
        }
        fields["agreement"] = "accepted"
        fields["action"] = "continue"
        let (secondURL, second) = try await submit(first.action(relativeTo: signInPage), fields)
        guard second.html.contains("Welcome back") else { throw Failure.unexpected("no password page: \(second.text.prefix(300))") }
        var passwordFields = second.hiddenFields
        passwordFields["password"] = password
        passwordFields["action"] = "login"
        return try await redirectTarget(of: second.action(relativeTo: secondURL), method: .POST, form: passwordFields)
    }

    /// Submits the first page; the answer is the next page (or a redirect to it).
    private func submit(_ url: URL, _ fields: [String: String]) async throws -> (URL, HTMLPage) {
        let response = try await send(url, method: .POST, form: fields)
        if (300..<400).contains(response.status), let location = response.location {
            let next = URL(string: location, relativeTo: url)!.absoluteURL
            return (next, try await page(next))
        }
        guard response.status == 200 else { throw Failure.unexpected("HTTP \(response.status) from \(url.path): \(response.body.prefix(300))") }
        return (url, HTMLPage(html: response.body))
    }

    public func page(_ url: URL) async throws -> HTMLPage {
        let response = try await send(url, method: .GET, form: nil)
        guard response.status == 200 else { throw Failure.unexpected("HTTP \(response.status) for \(url.path)") }
        return HTMLPage(html: response.body)
    }

    /// Sends the request and expects a redirect; returns its absolute target.
    public func redirectTarget(of url: URL, method: HTTPMethod, form: [String: String]? = nil) async throws -> URL {
        let response = try await send(url, method: method, form: form)
        guard (300..<400).contains(response.status), let location = response.location else {
            throw Failure.unexpected("expected a redirect from \(url.path), got HTTP \(response.status): \(response.body.prefix(300))")
        }
        return URL(string: location, relativeTo: url)!.absoluteURL
    }

    private struct Answer {
        let status: Int
        let location: String?
        let body: String
    }

    private func send(_ url: URL, method: HTTPMethod, form: [String: String]?) async throws -> Answer {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: Self.encode(form)))
        }
        let response = try await client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), location: response.headers.first(name: "Location"), body: String(buffer: body))
    }

    static func encode(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.sorted { $0.key < $1.key }
            .map {
                "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }
            .joined(separator: "&")
    }
}
