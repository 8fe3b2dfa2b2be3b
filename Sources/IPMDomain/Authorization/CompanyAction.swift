/// What an admin may try to do with a company.
public enum CompanyAction: String, Sendable, Hashable, CaseIterable {
    case view
    case optIn = "opt in"
    case optOut = "opt out"
    case manageMembers = "manage the company's admins"
    case refreshTokens = "force a refresh of the company's UPS tokens"
    case redeliverWebhooks = "redeliver the company's webhook events"
}

/// The rules of who may do what. One place, used by every front.
public enum AccessPolicy {
    /// Allows `action` or throws. An admin who is not a member gets `notFound` — never a hint
    /// that the company exists.
    public static func check(_ action: CompanyAction, by admin: Admin, role: Role?, company reference: CompanyReference) throws(DomainError) {
        guard !admin.isDisabled else { throw .adminDisabled }
        guard let role else { throw .companyNotFound(reference) }
        guard allows(role, action) else { throw .forbidden(action.rawValue) }
    }

    public static func allows(_ role: Role, _ action: CompanyAction) -> Bool {
        switch (role, action) {
        case (.admin, _): return true
        case (.viewer, .view): return true
        case (.viewer, .optIn), (.viewer, .optOut), (.viewer, .manageMembers): return false
        case (.viewer, .refreshTokens), (.viewer, .redeliverWebhooks): return false
        }
    }
}
