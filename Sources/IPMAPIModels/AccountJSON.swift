public import Foundation
public import IPMDomain

/// `POST /api/v1/sessions`.
public struct SignInJSON: Codable, Sendable, Hashable {
    public let signInName: String
    public let password: String

    public init(signInName: String, password: String) {
        self.signInName = signInName
        self.password = password
    }
}

public struct AccountJSON: Codable, Sendable, Hashable {
    public let id: String
    public let signInName: String
    public let displayName: String
    public let email: String?
    public let createdAt: Date

    public init(id: String, signInName: String, displayName: String, email: String?, createdAt: Date) {
        self.id = id
        self.signInName = signInName
        self.displayName = displayName
        self.email = email
        self.createdAt = createdAt
    }

    public init(_ admin: Admin) {
        self.init(
            id: admin.id.description, signInName: admin.signInName.value, displayName: admin.displayName, email: admin.email?.value,
            createdAt: admin.createdAt)
    }
}

public struct SessionJSON: Codable, Sendable, Hashable {
    public let id: String
    public let kind: String
    public let createdAt: Date
    public let expiresAt: Date

    public init(id: String, kind: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public init(_ session: AdminSession) {
        self.init(id: session.id.description, kind: session.kind.rawValue, createdAt: session.createdAt, expiresAt: session.expiresAt)
    }
}

public struct NewSessionJSON: Codable, Sendable, Hashable {
    /// Send as `Authorization: Bearer`; shown once.
    public let token: String
    public let admin: AccountJSON
    public let session: SessionJSON

    public init(token: String, admin: AccountJSON, session: SessionJSON) {
        self.token = token
        self.admin = admin
        self.session = session
    }
}

public struct MeJSON: Codable, Sendable, Hashable {
    public let admin: AccountJSON
    /// Absent when the caller uses a personal API token.
    public let session: SessionJSON?
    /// Where people reach the web pages (IPM_PUBLIC_URL): a terminal's opt-in sends the browser there.
    public let publicURL: String

    public init(admin: AccountJSON, session: SessionJSON?, publicURL: String) {
        self.admin = admin
        self.session = session
        self.publicURL = publicURL
    }
}
