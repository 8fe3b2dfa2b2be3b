#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reverse proxies whose `X-Forwarded-For` is believed (`IPM_TRUSTED_PROXIES`): addresses
/// and CIDR ranges, IPv4 or IPv6. Behind a proxy every client arrives from the proxy's
/// address; without this, all of them would share one sign-in throttle.
public struct TrustedProxies: Sendable, Hashable {
    private let ranges: [AddressRange]

    public static let none = TrustedProxies(ranges: [])

    private init(ranges: [AddressRange]) {
        self.ranges = ranges
    }

    /// `10.0.0.0/8, 192.168.1.7, ::1, fd00::/8`; commas or spaces between entries.
    /// Throws a message saying which entry is not an address or range.
    public init(parsing text: String) throws(TrustedProxiesError) {
        var ranges: [AddressRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !entry.isEmpty {
            guard let range = AddressRange(String(entry)) else { throw TrustedProxiesError(entry: String(entry)) }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func trusts(_ address: String) -> Bool {
        guard let bytes = IPAddressBytes(address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the rightmost
    /// `X-Forwarded-For` hop that is not a trusted proxy (each proxy appends the address it saw,
    /// so entries left of it are whatever the client chose to send). A hop that is not an
    /// address stops the walk at the last trusted one.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, !ranges.isEmpty, trusts(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: " \t") }
        var client = peer
        for hop in hops.reversed() {
            guard let bytes = IPAddressBytes(hop) else { return client }
            client = bytes.description
            if !ranges.contains(where: { $0.contains(bytes) }) { return client }
        }
        return client
    }
}

/// `IPM_TRUSTED_PROXIES` holds an entry that is neither an address nor a CIDR range.
public struct TrustedProxiesError: Error, Sendable, CustomStringConvertible {
    public let entry: String
    public var description: String { "expected IP addresses or CIDR ranges (e.g. 10.0.0.0/8, ::1), got '\(entry)'" }
}

/// An address and prefix length.
private struct AddressRange: Sendable, Hashable {
    let network: IPAddressBytes
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddressBytes(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix), parts[1].allSatisfy(\.isASCII) else { return nil }
            self.prefix = prefix
        } else {
            self.prefix = bits
        }
        network = address
    }

    func contains(_ address: IPAddressBytes) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var left = prefix
        for (a, b) in zip(address.bytes, network.bytes) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address; IPv4-mapped IPv6 addresses count as IPv4.
struct IPAddressBytes: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]

    init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        if all[0..<10].allSatisfy({ $0 == 0 }), all[10] == 0xFF, all[11] == 0xFF {
            bytes = Array(all[12...])
        } else {
            bytes = all
        }
    }

    /// The canonical text (`inet_ntop`), so one client is one throttle key however it was written.
    var description: String {
        var copy = bytes
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = self[...]
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
