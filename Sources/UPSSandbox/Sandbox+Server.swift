public import Foundation
public import Hummingbird
public import Logging
import ServiceLifecycle

extension Sandbox {
    /// The HTTP server for this sandbox at `configuration.host`/`port`. It logs
    /// "ups-sandbox listening" with `address=…` once bound (tests read a kernel-picked
    /// port from that line) and then calls `onListening` with the port.
    public func application(
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: SandboxRequestContext.self)
        router.get("/healthz") { _, _ in "ok" }
        AuthorizeRoutes(sandbox: self).register(on: router)
        SignInRoutes(sandbox: self).register(on: router)
        TokenRoutes(sandbox: self).register(on: router)
        TrackingRoutes(sandbox: self).register(on: router)
        AdminRoutes(sandbox: self).register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ups-sandbox"),
            onServerRunning: { channel in
                logger.notice("ups-sandbox listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
    }

    /// Serves the sandbox while `body` runs, then shuts it down. `body` gets the base URL;
    /// with `port` 0 in the configuration the kernel picks a free port, so parallel tests
    /// never collide.
    public func withRunningServer<Value>(
        logger: Logger = Logger(label: "ups-sandbox"),
        _ body: (URL) async throws -> Value
    ) async throws -> Value {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: .init(services: [application(logger: logger) { portContinuation.yield($0) }], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()
                throw ServerStoppedBeforeListening()
            }
            let host = ["0.0.0.0", "::", ""].contains(configuration.host) ? "127.0.0.1" : configuration.host
            let url = URL(string: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)")!
            do {
                let value = try await body(url)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// The server ended without an error before it was bound (it was cancelled).
struct ServerStoppedBeforeListening: Error {}
