/// What the domain refuses, in words a person can act on. A struct around a private enum,
/// so new cases do not break callers (Hummingbird's `PersistError` pattern).
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case invalidInput(field: String, message: String)
        case notFound(what: String, name: String, isID: Bool)
        case alreadyExists(what: String, name: String)
        case forbidden(action: String)
        case adminDisabled
        case illegalTransition(from: String, action: String)
        case invalidCredentials
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// Input that fails validation; changes nothing.
    public static func invalidInput(field: String, _ message: String) -> DomainError {
        .init(.invalidInput(field: field, message: message))
    }
    /// Something that does not exist, or that the acting admin may not know exists.
    public static func notFound(_ what: String, _ name: String) -> DomainError {
        .init(.notFound(what: what, name: name, isID: false))
    }
    public static func alreadyExists(_ what: String, _ name: String) -> DomainError {
        .init(.alreadyExists(what: what, name: name))
    }
    /// The admin can see the company but their role does not allow the action.
    public static func forbidden(_ action: String) -> DomainError { .init(.forbidden(action: action)) }
    public static let adminDisabled = DomainError(.adminDisabled)
    /// A company that does not exist or that the admin may not see, in the words they used.
    public static func companyNotFound(_ reference: CompanyReference) -> DomainError {
        switch reference {
        case .id(let id): return .init(.notFound(what: "company", name: id.description, isID: true))
        case .name(let name): return .init(.notFound(what: "company", name: name.value, isID: false))
        }
    }
    public static func illegalTransition(from state: String, action: String) -> DomainError {
        .init(.illegalTransition(from: state, action: action))
    }
    public static let invalidCredentials = DomainError(.invalidCredentials)

    public var isNotFound: Bool { if case .notFound = kind { true } else { false } }
    public var isAlreadyExists: Bool { if case .alreadyExists = kind { true } else { false } }
    public var isForbidden: Bool { if case .forbidden = kind { true } else { false } }
    public var isInvalidInput: Bool { if case .invalidInput = kind { true } else { false } }
    public var isIllegalTransition: Bool { if case .illegalTransition = kind { true } else { false } }

    /// Input is echoed with invisible and control characters spelled out, so a message
    /// cannot smuggle terminal escapes or line breaks into a terminal or a log.
    public var description: String { message.printable }

    private var message: String {
        switch kind {
        case .invalidInput(let field, let message): return "\(field) \(message)"
        case .notFound(let what, let name, false): return "no \(what) named '\(name)'"
        case .notFound(let what, let id, true): return "no \(what) with id \(id)"
        case .alreadyExists(let what, let name): return "\(article(what)) \(what) named '\(name)' already exists"
        case .forbidden(let action): return "your role does not allow you to \(action)"
        case .adminDisabled: return "this admin account is disabled"
        case .illegalTransition(let from, let action): return "cannot \(action): the company's UPS connection is \(from)"
        case .invalidCredentials: return "the sign-in name or password is incorrect"
        }
    }

    private func article(_ word: String) -> String {
        guard let first = word.first?.lowercased() else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }
}
