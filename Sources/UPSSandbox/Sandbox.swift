import Foundation
import Synchronization

/// A running UPS world in memory: registered apps, UPS.com users, codes, grants, tokens,
/// faults and counters. Not product data: it starts from a `SandboxConfiguration` and is
/// gone when the process ends.
///
/// Serve it with `application(logger:)` (or `withRunningServer`); tests and operators
/// change it through the admin API (`/sandbox/…`) or these methods, which the admin API calls.
public final class Sandbox: Sendable {
    /// The configuration it started with; later changes are not reflected here.
    public let configuration: SandboxConfiguration
    let world: Mutex<SandboxWorld>

    /// Check `configuration.problems` first: an invalid configuration is not refused here.
    public init(configuration: SandboxConfiguration = .demo()) {
        self.configuration = configuration
        world = Mutex(SandboxWorld(configuration: configuration))
    }

    /// Runs `body` on the world at one instant, under the lock.
    func withWorld<T>(_ body: (inout SandboxWorld, Date) throws -> T) rethrows -> T {
        let now = Date()
        return try world.withLock { try body(&$0, now) }
    }

    var registeredClients: [String: RegisteredClient] { world.withLock { $0.clients } }

    // MARK: Operator and test API (the admin endpoints call these)

    public var counters: SandboxCounters { world.withLock { $0.counters } }

    public func resetCounters() {
        world.withLock { $0.counters = SandboxCounters() }
    }

    /// Sets a UPS.com user's password and voids every token and pending code of that user.
    public func changePassword(username: String, to password: String) throws -> PasswordChange {
        guard !password.isEmpty else { throw SandboxAdminError.invalid("password: expected a non-empty password") }
        guard let change = withWorld({ $0.changePassword(username: username, to: password, now: $1) }) else {
            throw SandboxAdminError.notFound("no UPS.com user named '\(username)'")
        }
        return change
    }

    public func register(_ client: RegisteredClient) throws {
        try SandboxAdminError.check(client.problems)
        guard world.withLock({ $0.register(client) }) else {
            throw SandboxAdminError.conflict("client id '\(client.clientID)' is already registered")
        }
    }

    public func add(_ user: UPSUser) throws {
        try SandboxAdminError.check(user.problems)
        guard world.withLock({ $0.add(user) }) else {
            throw SandboxAdminError.conflict("a UPS.com user named '\(user.username)' or with email '\(user.email)' exists")
        }
    }

    public var lifetimes: Lifetimes { world.withLock { $0.lifetimes } }

    /// Applies to what is issued from now on.
    public func setLifetimes(_ lifetimes: Lifetimes) throws {
        try SandboxAdminError.check(lifetimes.problems)
        world.withLock { $0.lifetimes = lifetimes }
    }

    public var faults: FaultConfiguration { world.withLock { $0.faults.configuration } }

    /// How many of the 429 burst are still to come.
    public var tooManyRequestsRemaining: Int { world.withLock { $0.faults.burstRemaining } }

    /// Replaces the faults; the 429 burst starts over.
    public func setFaults(_ faults: FaultConfiguration) throws {
        try SandboxAdminError.check(faults.problems)
        world.withLock { $0.faults = FaultState(configuration: faults) }
    }

    public func clearFaults() {
        world.withLock { $0.faults = FaultState(configuration: FaultConfiguration()) }
    }

    public var tokenResponseFields: TokenResponseFields { world.withLock { $0.tokenResponse } }

    /// Applies to the token answers given from now on.
    public func setTokenResponseFields(_ fields: TokenResponseFields) {
        world.withLock { $0.tokenResponse = fields }
    }

    public var authorizeFault: AuthorizeFault? { world.withLock { $0.authorizeFault } }

    /// Makes `/authorize` fail as `fault` says, or (`nil`) work again.
    public func setAuthorizeFault(_ fault: AuthorizeFault?) throws {
        try SandboxAdminError.check(fault?.problems ?? [])
        world.withLock { $0.authorizeFault = fault }
    }
}

/// Why an admin change was refused. The description is the message the admin API answers.
public struct SandboxAdminError: Error, CustomStringConvertible, Equatable {
    enum Kind: Equatable { case invalid, conflict, notFound }
    let kind: Kind
    public let description: String

    static func invalid(_ message: String) -> SandboxAdminError { SandboxAdminError(kind: .invalid, description: message) }
    static func conflict(_ message: String) -> SandboxAdminError { SandboxAdminError(kind: .conflict, description: message) }
    static func notFound(_ message: String) -> SandboxAdminError { SandboxAdminError(kind: .notFound, description: message) }

    static func check(_ problems: [String]) throws {
        if !problems.isEmpty { throw invalid(problems.joined(separator: "; ")) }
    }
}
