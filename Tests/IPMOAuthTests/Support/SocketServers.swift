import Glibc
import NIOCore
import NIOPosix

/// A TCP server that reads the request and hangs up without a word, like a crashing proxy.
struct HangUpServer {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> HangUpServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(HangUp()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HangUpServer(channel: channel)
    }

    func stop() async throws { try await channel.close() }

    private final class HangUp: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.close(promise: nil)
        }
    }

    /// A port on which nothing listens: bound by the kernel's choice, then released.
    static func closedPort() async throws -> Int {
        ReservedClosedPort.shared.port
    }
}

/// A loopback port that refuses connections for the whole test run: a TCP socket bound to
/// it but never listening holds the port (no other test's server can be given it) while
/// the kernel answers every connection attempt with a reset.
final class ReservedClosedPort: Sendable {
    static let shared = ReservedClosedPort()
    let port: Int

    private init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        precondition(bound, "bind() failed")
        port = Int(UInt16(bigEndian: address.sin_port))
        // The descriptor stays open until the process ends, on purpose.
    }
}
