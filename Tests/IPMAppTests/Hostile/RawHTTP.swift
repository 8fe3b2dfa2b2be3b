import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to a test server, byte for byte: what a hostile client sends is
/// exactly what it wrote (raw tabs, huge headers, a request trickled a byte at a time),
/// with no client library tidying it up on the way. Blocking calls: use from `onThread`.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var isOpen = true

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawHTTPError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw RawHTTPError("connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit { if isOpen { Glibc.close(descriptor) } }

    func close() {
        if isOpen { Glibc.close(descriptor) }
        isOpen = false
    }

    /// Writes every byte; false when the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Everything the server sends until it closes the connection or `seconds` pass.
    func readUntilClosed(seconds: Double) -> (bytes: [UInt8], closed: Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return (received, false) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, min(left * 1000, 1000))))
            if ready < 0 && errno != EINTR { return (received, true) }
            if ready <= 0 { continue }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (received, true) }
            received.append(contentsOf: chunk[0..<count])
        }
    }

    /// Whether the server closes the connection within `seconds` (reading and dropping
    /// whatever it sends before that).
    func isClosed(within seconds: Double) -> Bool {
        readUntilClosed(seconds: seconds).closed
    }

    /// Sends `bytes` one at a time, `interval` seconds apart, for at most `seconds`; how long
    /// it took the server to close the connection, or nil when it was still open at the end.
    func trickle(_ bytes: [UInt8], every interval: Double, for seconds: Double) -> Double? {
        let start = Date()
        var index = 0
        while Date().timeIntervalSince(start) < seconds {
            if readUntilClosed(seconds: interval).closed { return Date().timeIntervalSince(start) }
            guard send([bytes[index % bytes.count]]) else { return Date().timeIntervalSince(start) }
            index += 1
        }
        return nil
    }
}

/// A response as it arrived.
struct RawResponse: Sendable, CustomStringConvertible {
    let status: Int
    /// Header lines in order, names lower-cased.
    let headers: [(name: String, value: String)]
    let body: String

    func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    func headers(_ name: String) -> [String] {
        headers.filter { $0.name == name.lowercased() }.map(\.value)
    }

    /// A cookie the response sets, `name=value` with its attributes.
    func setCookie(_ name: String) -> String? {
        headers("set-cookie").first { $0.hasPrefix(name + "=") }
    }

    var description: String { "\(status) \(headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")) \(body.prefix(600))" }

    /// Parses what the server sent on a `Connection: close` request; nil when it sent no
    /// status line (closed the connection without answering).
    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        var lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else { return nil }
        self.status = status
        headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = String(text[split.upperBound...])
        if let length = headers.first(where: { $0.name == "content-length" }).flatMap({ Int($0.value) }), length < body.utf8.count {
            body = String(decoding: Array(body.utf8)[0..<length], as: UTF8.self)
        }
        self.body = body
    }
}

struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `Cookie` header and the form fields of a page, kept between requests like a browser.
struct RawBrowser: Sendable {
    var cookies: [String: String] = [:]

    var cookieHeader: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    /// Takes the cookies a response sets (a `Max-Age=0` one removes it).
    mutating func keep(_ response: RawResponse) {
        for line in response.headers("set-cookie") {
            let pair = line.split(separator: ";", maxSplits: 1)[0]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if line.contains("Max-Age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    /// The hidden `csrf` field of a page's form.
    static func csrf(in page: RawResponse) -> String? {
        guard let range = page.body.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page.body[range.upperBound...].prefix { $0 != "\"" })
    }
}

extension String {
    /// `application/x-www-form-urlencoded` escaping of one value.
    var formEscaped: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
