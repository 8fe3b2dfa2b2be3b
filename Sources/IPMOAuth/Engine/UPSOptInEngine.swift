import Crypto
import Foundation
public import IPMDomain
public import Logging

/// Starts and completes opt-ins: the authorization request with its state and PKCE
/// verifier, the callback checks, the code exchange, and the stored, sealed token pair.
public struct UPSOptInEngine: UPSOptInFlow {
    private let server: any AuthorizationServer
    private let requests: any AuthorizationRequestRepository
    private let connections: any UPSConnectionRepository
    private let admins: any AdminRepository
    private let access: CompanyAccess
    private let secrets: any SecretBox
    private let random: any RandomSource
    private let clock: any IPMDomain.Clock
    private let usePKCE: Bool
    private let logger: Logger

    public init(
        server: any AuthorizationServer, requests: any AuthorizationRequestRepository,
        connections: any UPSConnectionRepository, admins: any AdminRepository, access: CompanyAccess,
        secrets: any SecretBox, random: any RandomSource, clock: any IPMDomain.Clock, usePKCE: Bool, logger: Logger
    ) {
        self.server = server
        self.requests = requests
        self.connections = connections
        self.admins = admins
        self.access = access
        self.secrets = secrets
        self.random = random
        self.clock = clock
        self.usePKCE = usePKCE
        self.logger = logger
    }

    public func start(_ reference: CompanyReference, by admin: Admin, session: SessionBinding) async throws -> OptInStart {
        let (company, _) = try await access.authorize(.optIn, reference, admin)
        let now = clock.now()
        let id = AuthorizationRequestID()
        let state = OAuthState.make(using: random)
        let verifier = usePKCE ? PKCE.makeVerifier(using: random) : nil
        let request = AuthorizationRequest(
            id: id, companyID: company.id, adminID: admin.id,
            sessionDigest: Self.digest(session), stateDigest: OAuthState.digest(state),
            codeVerifier: try verifier.map { try secrets.seal($0, context: AuthorizationRequest.codeVerifierContext(id)) },
            createdAt: now, expiresAt: now.addingTimeInterval(AuthorizationRequest.lifetime)
        )
        // Requests are kept a day past their expiry, so a late callback is told "expired"
        // rather than "unknown".
        try await requests.insert(request, purgingExpiredBefore: now.addingTimeInterval(-86_400))
        let url = try server.authorizationURL(state: state.value, codeChallenge: verifier.map { PKCE.challenge(for: $0) })
        logger.info("opt-in started", metadata: ["company": "\(company.id)", "admin": "\(admin.id)", "request": "\(id)"])
        return OptInStart(requestID: id, company: company, authorizationURL: url, expiresAt: request.expiresAt)
    }

    public func complete(_ callback: OptInCallback, session: SessionBinding) async throws -> OptInCompletion {
        guard let state = callback.state, !state.isEmpty else { throw OptInFailure.missingState }
        let now = clock.now()
        let sessionDigest = Self.digest(session)
        // Checked and consumed in one transaction: of two callbacks racing with one state,
        // exactly one gets past this line. A foreign session does not consume the request,
        // so a stranger's replay cannot spoil the admin's own opt-in.
        let consumed = try await requests.consume(stateDigest: OAuthState.digest(Secret(state)), at: now) { request in
            if request.consumedAt != nil { throw OptInFailure.alreadyUsed }
            if request.expiresAt <= now { throw OptInFailure.expired }
            if !Self.constantTimeEqual(request.sessionDigest, sessionDigest) { throw OptInFailure.foreignSession }
        }
        guard let request = consumed else { throw OptInFailure.unknownState }
        let metadata: Logger.Metadata = ["company": "\(request.companyID)", "request": "\(request.id)"]

        if let error = callback.error {
            logger.info(
                "opt-in ended at UPS without authorization",
                metadata: metadata.merging(["ups.error": "\(error.prefix(100).description.printable)"]) { $1 })
            throw OptInFailure.deniedAtUPS(error: error, description: callback.errorDescription)
        }
        guard let code = callback.code, !code.isEmpty else { throw OptInFailure.missingCode }

        // The admin's rights are checked again: they may have changed in the ten minutes.
        guard let admin = try await admins.find(id: request.adminID) else {
            throw OptInFailure.notAllowed("the admin who started it no longer exists")
        }
        let company: Company
        do {
            (company, _) = try await access.authorize(.optIn, .id(request.companyID), admin)
        } catch let error as DomainError {
            throw OptInFailure.notAllowed(error.description)
        }

        let verifier = try request.codeVerifier.map { try secrets.open($0, context: AuthorizationRequest.codeVerifierContext(request.id)) }
        let grant: TokenGrant
        do {
            grant = try await server.exchange(code: code, codeVerifier: verifier?.value)
        } catch {
            logger.warning("UPS did not exchange the authorization code", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            throw OptInFailure.exchangeFailed(error)
        }
        let tokens = try TokenSealing.seal(grant, for: company.id, with: secrets)
        let connection = try await connections.withLockedConnection(company.id, .wait) { locked in
            let transition = try locked.connection.optIn(by: admin, at: clock.now(), lifetimes: grant.lifetimes)
            return (ConnectionUpdate(transition, newTokens: tokens), transition.connection)
        }
        guard let connection else { throw DomainError.companyNotFound(.id(company.id)) }
        logger.notice("company opted in to UPS", metadata: metadata.merging(["admin": "\(admin.id)"]) { $1 })
        return OptInCompletion(company: company, connection: connection)
    }

    /// What is stored of a session binding.
    static func digest(_ session: SessionBinding) -> [UInt8] {
        Array(SHA256.hash(data: Array("ipm.opt-in.session:\(session.secret.value)".utf8)))
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// Seals a granted pair for storage under the company's contexts.
enum TokenSealing {
    static func seal(_ grant: TokenGrant, for company: CompanyID, with secrets: any SecretBox) throws(SecretBoxError) -> SealedTokenPair {
        SealedTokenPair(
            accessToken: try secrets.seal(grant.accessToken, context: SealedTokenPair.accessTokenContext(company)),
            refreshToken: try secrets.seal(grant.refreshToken, context: SealedTokenPair.refreshTokenContext(company)),
            scope: grant.scope
        )
    }
}
