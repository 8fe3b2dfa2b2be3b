import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `ipm-server --check-health`: asks the server this configuration describes for `/readyz`,
/// exit status 0 when it answers 200 and 1 otherwise, so a container's `HEALTHCHECK` needs no
/// curl in the image (decision 61). It reads the same settings as the server (`IPM_HTTP_HOST`,
/// `IPM_HTTP_PORT`, `IPM_CONFIG_FILE`); a wildcard listen address is asked on loopback.
enum HealthCheck {
    /// The `/readyz` address of the server that listens on `host`:`port`.
    static func readinessURL(host: String, port: Int) -> String {
        var target = host
        switch host {
        case "0.0.0.0", "": target = "127.0.0.1"
        case "::", "[::]": target = "::1"
        default: break
        }
        if target.contains(":"), !target.hasPrefix("[") { target = "[\(target)]" }
        return "http://\(target):\(port)/readyz"
    }

    /// `nil` when ready, else one line saying why not.
    static func problem(host: String, port: Int, timeout: TimeAmount = .seconds(5)) async -> String? {
        guard port != 0 else { return "IPM_HTTP_PORT is 0 (a port the kernel picks): there is no fixed address to check" }
        let url = readinessURL(host: host, port: port)
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: timeout)
            let body = try await response.body.collect(upTo: 4096)
            if response.status == .ok { return nil }
            let text = String(buffer: body).split(whereSeparator: \.isNewline).joined(separator: " ")
            return "\(url) answered \(response.status.code)\(text.isEmpty ? "" : ": " + text.prefix(200))"
        } catch {
            return "\(url) did not answer: " + "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }
}
