import Foundation
import IPMCLI
import IPMConsole
import IPMDomain
import NIOHTTP1

/// The admin commands' context on an `ipm-server` (`--server URL`, `IPM_SERVER`): the same
/// commands and output as on the database, through the JSON API. The server enforces the
/// rules; the CLI checks a role first only to refuse in the same words before asking.
struct ServerAdminContext: AdminConsole {
    let api: ServerAPI

    init(server: URL) {
        api = ServerAPI(server: server)
    }

    init(api: ServerAPI) {
        self.api = api
    }

    func signIn(_ signInName: String, password: Password) async throws -> ConsoleSignIn {
        let answer = try await api.send(.POST, "/sessions", json: SignInBody(signInName: signInName, password: password.plaintext))
        // The server's words for a refusal: wrong credentials, disabled, or throttled.
        guard answer.status == 201 else {
            guard [401, 403, 429].contains(answer.status), let words = answer.problem else { throw api.failure(answer) }
            throw ConsoleFailure.failed(words)
        }
        let issued = try api.decode(NewSessionBody.self, answer)
        return ConsoleSignIn(token: Secret(issued.token), session: issued.session.period, admin: try issued.admin.admin())
    }

    func signOut(_ token: Secret) async throws {
        let answer = try await api.send(.DELETE, "/sessions/current", token: token)
        // A session that already ended is as signed out as it gets.
        guard answer.status == 204 || answer.status == 401 else { throw api.failure(answer) }
    }

    func session(for token: Secret) async throws -> (any SignedInAdmin)? {
        let answer = try await api.send(.GET, "/me", token: token)
        if answer.status == 401 { return nil }
        let me = try api.decode(MeBody.self, answer)
        guard let session = me.session, let publicURL = URL(string: me.publicURL) else {
            throw ConsoleFailure.failed("the server at \(api.base) did not recognise this token as a session; run `ipm login` again")
        }
        return ServerSignedInAdmin(api: api, token: token, admin: try me.admin.admin(), session: session.period, publicURL: publicURL)
    }

    func shutdown() async {
        await api.shutdown()
    }
}

/// One live CLI session's admin on the server.
struct ServerSignedInAdmin: SignedInAdmin {
    let api: ServerAPI
    let token: Secret
    let admin: Admin
    let session: SessionPeriod
    let publicURL: URL

    /// The server this ipm was pointed at: the addresses the server sends (its IPM_PUBLIC_URL,
    /// UPS's sign-in page) are printed, but opened only on that origin.
    var browserOrigins: [URL] { URL(string: api.base).map { [$0] } ?? [] }

    func reload() async throws -> (any SignedInAdmin)? {
        try await ServerAdminContext(api: api).session(for: token)
    }

    func companies() async throws -> [CompanyOverview] {
        let answer = try await api.send(.GET, "/companies", token: token)
        return try api.decode(CompanyListBody.self, answer).companies.map { try $0.overview() }
    }

    func company(_ reference: CompanyReference, for action: CompanyAction) async throws -> CompanyOverview {
        let overview: CompanyOverview
        switch reference {
        case .id(let id):
            let answer = try await api.send(.GET, "/companies/\(id)", token: token)
            overview = try api.decode(CompanyBody.self, answer, notFound: DomainError.companyNotFound(reference)).overview()
        case .name(let name):
            // The API names companies by id; the caller's own list is what a name can match.
            guard let found = try await companies().first(where: { $0.company.name == name }) else {
                throw DomainError.companyNotFound(reference)
            }
            // One company's status says more than the list (an opt-in that never came back).
            let answer = try await api.send(.GET, "/companies/\(found.company.id)", token: token)
            overview = try api.decode(CompanyBody.self, answer, notFound: DomainError.companyNotFound(reference)).overview()
        }
        try AccessPolicy.check(action, by: admin, role: overview.role, company: reference)
        return overview
    }

    func optOut(_ reference: CompanyReference) async throws -> UPSConnection {
        let id = try await company(reference, for: .optOut).company.id
        let answer = try await api.send(.POST, "/companies/\(id)/opt-out", token: token)
        return try api.decode(CompanyBody.self, answer, notFound: DomainError.companyNotFound(reference)).overview().connection
    }

    func activity(_ reference: CompanyReference, limit: Int, before: AuditCursor?) async throws -> ActivityPage {
        let id = try await company(reference, for: .view).company.id
        var path = "/companies/\(id)/events?limit=\(limit)"
        if let before { path += "&before=" + ServerAPI.escaped(before.text) }
        let answer = try await api.send(.GET, path, token: token)
        let page = try api.decode(EventPageBody.self, answer, notFound: DomainError.companyNotFound(reference))
        return ActivityPage(events: try page.events.map { try $0.entry() }, next: try page.next.map(Self.cursor))
    }

    func startOptIn(_ reference: CompanyReference) async throws -> StartedOptIn {
        let company = try await company(reference, for: .optIn).company
        let answer = try await api.send(.POST, "/companies/\(company.id)/opt-in", token: token)
        let start = try api.decode(OptInStartBody.self, answer, notFound: DomainError.companyNotFound(reference))
        guard let url = URL(string: start.authorizationURL) else { throw api.unusable("authorizationURL") }
        return StartedOptIn(companyName: company.name.value, authorizationURL: url, expiresAt: start.expiresAt)
    }

    func completeOptIn(redirectedURL: URL) async throws {
        let answer = try await api.send(.POST, "/oauth/complete", token: token, json: PasteBody(redirectedURL: redirectedURL.absoluteString))
        _ = try api.decode(CompanyBody.self, answer)
    }

    func notifications(unreadOnly: Bool, limit: Int) async throws -> [NotificationEntry] {
        let answer = try await api.send(.GET, "/notifications?unread=\(unreadOnly)&limit=\(limit)", token: token)
        return try api.decode(NotificationListBody.self, answer).notifications.map { try $0.entry() }
    }

    func markNotificationsRead() async throws -> Int {
        let answer = try await api.send(.POST, "/notifications/read", token: token)
        return try api.decode(MarkedBody.self, answer).marked
    }

    /// The API's `next` cursor, in the form `AuditCursor.text` writes.
    private static func cursor(_ text: String) throws -> AuditCursor {
        guard let cursor = AuditCursor(text: text) else {
            throw ConsoleFailure.failed("the server sent a page cursor this ipm does not understand: '\(text.printable)'")
        }
        return cursor
    }
}

extension ServerAPI {
    /// An answer that parsed but holds a value no ipm-server sends.
    func unusable(_ field: String) -> ConsoleFailure {
        ConsoleFailure.failed("the server at \(base) sent an unusable \(field); is it the same version as this ipm?")
    }
}
