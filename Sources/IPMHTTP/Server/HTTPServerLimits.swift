public import HummingbirdCore
import Logging
public import NIOCore
import NIOHTTP1

/// How long and how much a client may take to send a request, so slow or idle clients
/// cannot hold sockets for ever (`IPM_HTTP_IDLE_TIMEOUT`, `IPM_HTTP_READ_TIMEOUT`,
/// `IPM_HTTP_MAX_HEADER_BYTES`):
/// - a connection that sends no complete request head within `idleTimeout` of opening or of
///   its previous answer, or stalls that long between two parts of a request, is closed
///   (Hummingbird's idle timeout counts whole HTTP parts, not bytes, so a head trickled a
///   byte at a time is cut too);
/// - a request whose body has not fully arrived `readTimeout` after its head is closed,
///   however steadily it trickles;
/// - the request line and headers together may hold `maxHeaderBytes`, at most 100 fields;
///   more is a 400 and the connection closes.
/// A request that has arrived is never cut while its answer is being worked out.
public struct HTTPServerLimits: Sendable {
    public var idleTimeout: TimeAmount
    public var readTimeout: TimeAmount
    public var maxHeaderBytes: Int
    public static let maxHeaderFields = 100

    public init(idleTimeout: TimeAmount = .seconds(75), readTimeout: TimeAmount = .seconds(30), maxHeaderBytes: Int = 32 * 1024) {
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Hummingbird's HTTP/1.1 server with these limits.
    public var server: HTTPServerBuilder {
        let limits = self
        return HTTPServerBuilder { responder in
            let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
                maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes, maxHeaderFieldCount: Self.maxHeaderFields
            )
            return LimitedHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: limits.idleTimeout, httpDecoderConfiguration: decoder)),
                readTimeout: limits.readTimeout
            )
        }
    }
}

/// Hummingbird's HTTP/1.1 child channel with `RequestReadDeadline` behind the decoder.
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let readTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let readTimeout = readTimeout
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestReadDeadline(timeout: readTimeout), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection when a request's end has not arrived `timeout` after its head.
final class RequestReadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                self?.deadline = nil
                context.close(promise: nil)
            }
        case .body:
            break
        case .end:
            cancel()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    private func cancel() {
        deadline?.cancel()
        deadline = nil
    }
}
