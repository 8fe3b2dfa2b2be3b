import Hummingbird
import NIOCore

/// Injects the configured faults into one endpoint: latency, 429 bursts, dropped
/// connections (before processing), 503s, and lost responses (after processing).
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    let sandbox: Sandbox
    let endpoint: FaultEndpoint

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard endpoint == .refresh else { return try await inject(request, context: context, next: next) }
        sandbox.withWorld { world, _ in
            world.refreshesInFlight += 1
            world.counters.raise(.refreshesInFlightPeak, to: world.refreshesInFlight)
        }
        defer { sandbox.withWorld { world, _ in world.refreshesInFlight -= 1 } }
        return try await inject(request, context: context, next: next)
    }

    private func inject(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let blocking = sandbox.faults
        if blocking.blockedMerchant || !blocking.blockedClients.isEmpty {
            let clientID = try await Self.clientID(of: &request)
            if blocking.blocks(clientID, at: endpoint) {
                sandbox.withWorld { world, _ in world.count(.faultsBlockedMerchant) }
                throw UPSError.blockedMerchant
            }
        }
        let plan = sandbox.withWorld { world, _ in
            let plan = world.faults.plan(for: endpoint)
            if plan.latencyMilliseconds > 0 { world.count(.faultsLatency) }
            if let fault = plan.fault { world.count(fault.counter) }
            return plan
        }
        if plan.latencyMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(plan.latencyMilliseconds))
        }
        switch plan.fault {
        case .tooManyRequests:
            throw UPSError.tooManyRequests
        case .serverError:
            throw UPSError.serviceUnavailable
        case .unauthorized:
            throw UPSError.invalidAuthentication
        case .droppedConnection:
            try await context.channel.close()
            throw ConnectionClosedOnPurpose()
        case .lostResponse:
            // Processed for real (a refresh token is consumed), then the answer never leaves.
            _ = try? await next(request, context)
            try await context.channel.close()
            throw ConnectionClosedOnPurpose()
        case nil:
            return try await next(request, context)
        }
    }
}

extension FaultMiddleware {
    /// The client a token call names: HTTP Basic's id, or the form's `client_id` (PKCE). The
    /// body, once read, stays in `request` for the route.
    static func clientID(of request: inout Request) async throws -> String? {
        if case .credentials(let id, _) = request.basicCredentials { return id }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        let body = try await request.collectBody(upTo: 64 * 1024)
        return FormFields(encoded: String(buffer: body))["client_id"]
    }
}

/// Thrown after the connection was closed on purpose; nothing can be answered any more.
struct ConnectionClosedOnPurpose: Error {}
