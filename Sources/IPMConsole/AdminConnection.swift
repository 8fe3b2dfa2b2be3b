public import Foundation
import IPMDomain

/// Where a console does its work: the shared database directly, or an `ipm-server` through
/// its JSON API. The composition root builds the console for it.
public enum AdminConnection: Sendable, Equatable {
    case database
    /// `--server URL` or `IPM_SERVER`.
    case server(URL)

    /// `server` (`--server`), else `IPM_SERVER`, else the database. Plain http:// is accepted
    /// only to this machine unless `insecure`: a password and a bearer token must not cross a
    /// network in the clear by accident.
    public init(server: String?, insecure: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let text = server ?? environment["IPM_SERVER"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            self = .database
            return
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw ConsoleFailure.failed("--server/IPM_SERVER: expected an http:// or https:// URL, got '\(text.printable)'")
        }
        if scheme == "http", !insecure, !Self.isLoopback(host) {
            throw ConsoleFailure.failed(
                "--server/IPM_SERVER: \(text.printable) is plain http:// to another machine; use https://, or --insecure if you mean it")
        }
        self = .server(url)
    }

    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let ipv4Loopback = octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
        return host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || ipv4Loopback
    }
}
