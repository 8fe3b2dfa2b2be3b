import Foundation
import Hummingbird

/// The admin API for tests and operators, JSON under `/sandbox/`. It has no authentication:
/// the sandbox listens on loopback by default and holds no real data.
struct AdminRoutes {
    let sandbox: Sandbox

    func register(on router: Router<SandboxRequestContext>) {
        let admin = router.group("/sandbox")
        admin.post("/clients") { request, context -> Response in
            let client = try await request.decode(as: RegisteredClient.self, context: context)
            try adminCall { try sandbox.register(client) }
            return try .json(ClientSummary(client), status: .created)
        }
        admin.post("/users") { request, context -> Response in
            let user = try await request.decode(as: UPSUser.self, context: context)
            try adminCall { try sandbox.add(user) }
            return try .json(UserSummary(username: user.username, email: user.email, displayName: user.displayName), status: .created)
        }
        admin.post("/users/:username/password") { request, context -> Response in
            let body = try await request.decode(as: NewPassword.self, context: context)
            let username = try context.parameters.require("username").removingPercentEncoding ?? ""
            return try .json(try adminCall { try sandbox.changePassword(username: username, to: body.password) })
        }
        admin.get("/lifetimes") { _, _ in try Response.json(sandbox.lifetimes) }
        admin.put("/lifetimes") { request, context -> Response in
            let lifetimes = try await request.decode(as: Lifetimes.self, context: context)
            try adminCall { try sandbox.setLifetimes(lifetimes) }
            return try .json(sandbox.lifetimes)
        }
        admin.get("/faults") { _, _ in try Response.json(FaultsAnswer(sandbox)) }
        admin.put("/faults") { request, context -> Response in
            let faults = try await request.decode(as: FaultConfiguration.self, context: context)
            try adminCall { try sandbox.setFaults(faults) }
            return try .json(FaultsAnswer(sandbox))
        }
        admin.delete("/faults") { _, _ -> Response in
            sandbox.clearFaults()
            return try .json(FaultsAnswer(sandbox))
        }
        admin.get("/token-response") { _, _ in try Response.json(sandbox.tokenResponseFields) }
        admin.put("/token-response") { request, context -> Response in
            sandbox.setTokenResponseFields(try await request.decode(as: TokenResponseFields.self, context: context))
            return try .json(sandbox.tokenResponseFields)
        }
        admin.get("/authorize-fault") { _, _ in try Response.json(AuthorizeFaultAnswer(fault: sandbox.authorizeFault)) }
        admin.put("/authorize-fault") { request, context -> Response in
            let fault = try await request.decode(as: AuthorizeFault.self, context: context)
            try adminCall { try sandbox.setAuthorizeFault(fault) }
            return try .json(AuthorizeFaultAnswer(fault: sandbox.authorizeFault))
        }
        admin.delete("/authorize-fault") { _, _ -> Response in
            try sandbox.setAuthorizeFault(nil)
            return try .json(AuthorizeFaultAnswer(fault: nil))
        }
        admin.get("/counters") { _, _ in try Response.json(sandbox.counters.byName) }
        admin.post("/counters/reset") { _, _ -> Response in
            sandbox.resetCounters()
            return try .json(sandbox.counters.byName)
        }
    }

    /// Turns a refused change into a JSON answer: 400, 404 or 409 with `{"error": "…"}`.
    private func adminCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SandboxAdminError {
            throw AdminFailure(error)
        }
    }
}

private struct AdminFailure: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    init(_ error: SandboxAdminError) {
        switch error.kind {
        case .invalid: status = .badRequest
        case .conflict: status = .conflict
        case .notFound: status = .notFound
        }
        message = error.description
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try .json(["error": message], status: status)
    }
}

private struct NewPassword: Decodable {
    let password: String
}

/// A registered client as the admin API shows it: never the secret.
private struct ClientSummary: Encodable {
    let clientID: String
    let redirectURIs: [String]
    let appName: String
    let displayName: String

    init(_ client: RegisteredClient) {
        clientID = client.clientID
        redirectURIs = client.redirectURIs
        appName = client.appName
        displayName = client.displayName
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "clientId"
        case redirectURIs, appName, displayName
    }
}

private struct UserSummary: Encodable {
    let username: String
    let email: String
    let displayName: String
}

/// `{"authorizeFault": {…}}`, or `{"authorizeFault": null}` when `/authorize` works.
private struct AuthorizeFaultAnswer: Encodable {
    let fault: AuthorizeFault?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fault, forKey: .authorizeFault)
    }

    enum CodingKeys: String, CodingKey { case authorizeFault }
}

private struct FaultsAnswer: Encodable {
    let faults: FaultConfiguration
    let tooManyRequestsRemaining: Int

    init(_ sandbox: Sandbox) {
        faults = sandbox.faults
        tooManyRequestsRemaining = sandbox.tooManyRequestsRemaining
    }
}
