import Hummingbird

/// One UPS resource API behind the bearer token: `GET /api/track/v1/details/{inquiryNumber}`.
/// A missing, unknown, expired or voided access token gets 401 with code 250002, and so does
/// a valid one of an app that does not have the `tracking` API (`RegisteredClient.apis`).
struct TrackingRoutes {
    /// Its name in `RegisteredClient.apis`.
    static let api = "tracking"

    let sandbox: Sandbox

    func register(on router: Router<SandboxRequestContext>) {
        router.group().add(middleware: FaultMiddleware(sandbox: sandbox, endpoint: .resource))
            .get("/api/track/v1/details/:inquiryNumber") { request, context -> Response in
                let authorized = sandbox.withWorld { world, now in
                    let valid = request.bearerToken.map { world.accessTokenIsValid($0, for: Self.api, now: now) } ?? false
                    world.count(valid ? .resourceCallsOK : .resourceCallsUnauthorized)
                    return valid
                }
                guard authorized else { throw UPSError.invalidAuthentication }
                let inquiryNumber = try context.parameters.require("inquiryNumber")
                guard let details = TrackingDetails(inquiryNumber: inquiryNumber) else {
                    throw UPSError.invalidRequest("Invalid Request: the inquiry number must be 1 to 34 letters and digits")
                }
                return try .json(details)
            }
    }
}
