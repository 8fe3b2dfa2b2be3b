import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `ups-sandbox serve`: the sandbox from a JSON config file, or the demo world, with flags
/// that override either.
struct SandboxServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the sandbox (the default subcommand).",
        discussion: """
            Without --config it serves the demo: client ipm-demo-client / ipm-demo-secret with redirect URI \
            http://127.0.0.1:8080/oauth/ups/callback, and UPS.com user demo-shipper / Shipper-Pass-1. \
            The admin API under /sandbox/ has no authentication: keep the sandbox on loopback. \
            SIGTERM or SIGINT stops it.
            """
    )

    @Option(help: ArgumentHelp("A JSON configuration file (see docs/ups-sandbox.example.json).", valueName: "file"))
    var config: String?
    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?
    @Option(help: "The port to listen on; 0 picks a free one (default 8090).")
    var port: Int?
    @Option(help: ArgumentHelp("The URL browsers reach the sandbox at (default: each request's Host).", valueName: "url"))
    var publicURL: String?
    @Option(name: .customLong("redirect-uri"), help: ArgumentHelp("Another redirect URI for every registered client (repeatable).", valueName: "uri"))
    var redirectURIs: [String] = []
    @Option(help: ArgumentHelp("Access token lifetime (default 3599).", valueName: "seconds"))
    var accessTokenLifetime: Int?
    @Option(help: ArgumentHelp("Refresh token lifetime (default 5183999).", valueName: "seconds"))
    var refreshTokenLifetime: Int?
    @Option(help: ArgumentHelp("Authorization code lifetime (default 300).", valueName: "seconds"))
    var codeLifetime: Int?
    @Option(name: .customLong("latency-ms"), help: ArgumentHelp("Added latency on faulty endpoints.", valueName: "milliseconds"))
    var latencyMilliseconds: Int?
    @Option(help: ArgumentHelp("Share of requests answered 503.", valueName: "0…1"))
    var serverErrorShare: Double?
    @Option(help: ArgumentHelp("The next N requests are answered 429.", valueName: "N"))
    var tooManyRequestsBurst: Int?
    @Option(help: ArgumentHelp("Share of connections closed before the request is processed.", valueName: "0…1"))
    var droppedConnectionShare: Double?
    @Option(help: ArgumentHelp("Share of requests processed, then closed without the answer.", valueName: "0…1"))
    var lostResponseShare: Double?
    @Option(
        name: .customLong("fault-endpoint"),
        help: ArgumentHelp("Where faults apply: token, refresh, resource (repeatable; default all).", valueName: "endpoint"))
    var faultEndpoints: [String] = []
    @Option(help: ArgumentHelp("Seed for the fault generator, for repeatable runs.", valueName: "number"))
    var faultSeed: UInt64?
    @Flag(help: "Leave scope out of token answers, as UPS sometimes does.")
    var omitScope = false
    @Flag(help: "Leave refresh_count out of token answers, as UPS sometimes does.")
    var omitRefreshCount = false
    @Option(
        help: ArgumentHelp(
            "Make /authorize fail: error-headers (400 with errorcode/errordescription headers) or error-page (302 to https://www.ups.com/error.page).",
            valueName: "mode"
        ))
    var authorizeFault: String?
    @Option(help: "trace … critical.")
    var logLevel = "info"

    func run() async throws {
        let configuration = try resolvedConfiguration()
        let logger = Logger.sandbox(level: logLevel)
        if config == nil {
            logger.notice(
                "demo sandbox",
                metadata: [
                    "client_id": "ipm-demo-client", "client_secret": "ipm-demo-secret",
                    "ups_user": "demo-shipper", "ups_password": "Shipper-Pass-1",
                ])
        }
        if !["127.0.0.1", "::1", "localhost"].contains(configuration.host) {
            logger.warning(
                "the admin API under /sandbox/ has no authentication; anyone who reaches this address can change the sandbox",
                metadata: ["host": "\(configuration.host)"])
        }
        let application = Sandbox(configuration: configuration).application(logger: logger)
        try await ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }

    /// The config file (or the demo), overridden by the flags given; every problem in one line.
    func resolvedConfiguration() throws -> SandboxConfiguration {
        var configuration = try config.map(Self.load) ?? .demo()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let publicURL { configuration.publicURL = publicURL }
        for index in configuration.clients.indices {
            configuration.clients[index].redirectURIs += redirectURIs.filter { !configuration.clients[index].redirectURIs.contains($0) }
        }
        if let accessTokenLifetime { configuration.lifetimes.accessTokenSeconds = accessTokenLifetime }
        if let refreshTokenLifetime { configuration.lifetimes.refreshTokenSeconds = refreshTokenLifetime }
        if let codeLifetime { configuration.lifetimes.authorizationCodeSeconds = codeLifetime }
        if let latencyMilliseconds { configuration.faults.latencyMilliseconds = latencyMilliseconds }
        if let serverErrorShare { configuration.faults.serverErrorShare = serverErrorShare }
        if let tooManyRequestsBurst { configuration.faults.tooManyRequestsBurst = tooManyRequestsBurst }
        if let droppedConnectionShare { configuration.faults.droppedConnectionShare = droppedConnectionShare }
        if let lostResponseShare { configuration.faults.lostResponseShare = lostResponseShare }
        if !faultEndpoints.isEmpty {
            configuration.faults.endpoints = try faultEndpoints.map { name in
                guard let endpoint = FaultEndpoint(rawValue: name) else {
                    throw ValidationError("--fault-endpoint: expected token, refresh or resource, got '\(name)'")
                }
                return endpoint
            }
        }
        if let faultSeed { configuration.faults.seed = faultSeed }
        if omitScope { configuration.tokenResponse.includesScope = false }
        if omitRefreshCount { configuration.tokenResponse.includesRefreshCount = false }
        switch authorizeFault {
        case nil: break
        case "error-headers": configuration.authorizeFault = AuthorizeFault(mode: .errorHeaders)
        case "error-page": configuration.authorizeFault = AuthorizeFault(mode: .errorPage)
        case let other?: throw ValidationError("--authorize-fault: expected error-headers or error-page, got '\(other)'")
        }
        let problems = configuration.problems
        guard problems.isEmpty else { throw SandboxCommandError(problems.joined(separator: "; ")) }
        return configuration
    }

    private static func load(_ path: String) throws -> SandboxConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SandboxCommandError("--config: cannot read '\(path)'")
        }
        do {
            return try JSONDecoder().decode(SandboxConfiguration.self, from: data)
        } catch {
            throw SandboxCommandError("--config: '\(path)' is not a sandbox configuration: \(SandboxConfigurationProblem(error))")
        }
    }
}

/// A JSON decoding error in words: which key, and what was wrong with it.
struct SandboxConfigurationProblem: CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            description = "\(path(context.codingPath + [key])) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            description = "\(path(context.codingPath)) has the wrong type"
        case DecodingError.dataCorrupted(let context):
            description = context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)) is not valid"
        default:
            description = "\(error)"
        }
    }
}
