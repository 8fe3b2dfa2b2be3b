import Foundation
import IPMCLI
import IPMDomain
import IPMPostgres
import IPMTUI

#if canImport(Glibc)
import Glibc
#endif

/// The TUI's console over the CLI's admin context (database or `ipm-server`): the same rules
/// and words as `ipm`. Until IPMConsole's `AdminConsole` arrives this adapts the CLI's seam
/// (decision 63); the lead replaces it with the seam at merge.
struct TUIConsoleAdapter: TUIConsole {
    let context: any AdminContext
    let connection: AdminConnection

    func resumeSession() async throws -> (any TUIAdmin)? {
        guard let token = Self.storedToken(for: connection) else { return nil }
        guard let admin = try await classified({ try await context.session(for: token) }) else { return nil }
        return TUISignedInAdmin(base: admin, context: context, token: token, ownsSession: false)
    }

    func signIn(_ signInName: String, password: Password) async throws -> any TUIAdmin {
        let signedIn = try await classified { try await context.signIn(signInName, password: password) }
        guard let admin = try await classified({ try await context.session(for: signedIn.token) }) else {
            throw TUIFailure(.failed, "the new session ended at once; try again")
        }
        return TUISignedInAdmin(base: admin, context: context, token: signedIn.token, ownsSession: true)
    }

    func shutdown() async {
        await context.shutdown()
    }

    /// The token `ipm login` keeps for this connection (`$XDG_CONFIG_HOME/ipm/session`, or
    /// `session@<scheme>_<host>_<port>` for a server), read as the CLI reads it: a file others
    /// could read is not used.
    static func storedToken(for connection: AdminConnection, environment: [String: String] = ProcessInfo.processInfo.environment) -> Secret? {
        let directory: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            directory = xdg + "/ipm"
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            directory = home + "/.config/ipm"
        } else {
            return nil
        }
        var file = directory + "/session"
        if case .server(let url) = connection {
            let scheme = url.scheme?.lowercased() ?? "http"
            let port = url.port ?? (scheme == "https" ? 443 : 80)
            let host = (url.host ?? "").lowercased().map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
            file += "@\(scheme)_\(String(host))_\(port)"
        }
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 == 0, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : Secret(token)
    }
}

/// One signed-in admin, through the CLI's `SignedInAdmin`.
struct TUISignedInAdmin: TUIAdmin {
    let base: any SignedInAdmin
    let context: any AdminContext
    let token: Secret
    let ownsSession: Bool

    var admin: Admin { base.admin }
    var publicURL: URL { base.publicURL }

    func companies() async throws -> [CompanyOverview] {
        try await classified { try await base.companies() }
    }

    func company(_ id: CompanyID) async throws -> CompanyOverview {
        try await classified { try await base.company(.id(id), for: .view) }
    }

    func optOut(_ id: CompanyID) async throws {
        _ = try await classified { try await base.optOut(.id(id)) }
    }

    func activity(_ id: CompanyID, limit: Int, before: AuditCursor?) async throws -> TUIActivityPage {
        let page = try await classified { try await base.activity(.id(id), limit: limit, before: before) }
        return TUIActivityPage(
            events: page.events.map { TUIActivity(occurredAt: $0.occurredAt, action: $0.action.rawValue.replacingOccurrences(of: "_", with: " "), actor: $0.actor, detail: $0.detail) },
            next: page.next
        )
    }

    func startOptIn(_ id: CompanyID) async throws -> (authorizationURL: URL, expiresAt: Date) {
        let started = try await classified { try await base.startOptIn(.id(id)) }
        return (started.authorizationURL, started.expiresAt)
    }

    func completeOptIn(redirectedURL: URL) async throws {
        try await classified { try await base.completeOptIn(redirectedURL: redirectedURL) }
    }

    func notifications(limit: Int) async throws -> [TUINotification] {
        try await classified { try await base.notifications(unreadOnly: false, limit: limit) }.map {
            TUINotification(companyName: $0.companyName, message: $0.message, occurredAt: $0.occurredAt, isRead: $0.isRead)
        }
    }

    func markNotificationsRead() async throws -> Int {
        try await classified { try await base.markNotificationsRead() }
    }

    func signOut() async {
        if ownsSession { try? await context.signOut(token) }
    }
}

/// Runs `body`; a lost database or server becomes `connectionLost` (a banner, retried), an
/// ended session `notSignedIn`; anything else keeps its one-line words.
private func classified<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PostgresError where [.connectionFailed, .connectionLost, .poolTimeout, .poolClosed].contains(error) {
        throw TUIFailure(.connectionLost, "the database is not reachable")
    } catch let error as AdminFailure {
        if error.description == AdminFailure.notSignedIn.description { throw TUIFailure(.notSignedIn, "the session ended; sign in again") }
        if error.description.hasPrefix("cannot reach the IPM server") || error.description.contains("is not available (HTTP") {
            throw TUIFailure(.connectionLost, error.description)
        }
        throw TUIFailure(.failed, error.description)
    } catch let error as DomainError {
        throw TUIFailure(.failed, error.description)
    }
}
