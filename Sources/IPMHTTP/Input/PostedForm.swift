import Hummingbird
import IPMDomain
import NIOCore

/// An `application/x-www-form-urlencoded` body as name → value (the last one wins). Its
/// text must be UTF-8 without NUL (`InputText`); otherwise nothing of it is read.
struct PostedForm: Sendable {
    private let values: [String: String]

    subscript(_ name: String) -> String? { values[name] }

    init(encoded: some Collection<UInt8>) throws(UnreadableInput) {
        var values: [String: String] = [:]
        for pair in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = InputText.percentDecoded(parts[0], plusIsSpace: true),
                let value = parts.count > 1 ? InputText.percentDecoded(parts[1], plusIsSpace: true) : ""
            else { throw UnreadableInput(place: .form) }
            values[name] = value
        }
        self.values = values
    }

    /// Reads the body up to the context's limit (413 beyond it).
    static func read(_ request: Request, context: WebRequestContext) async throws -> PostedForm {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return try PostedForm(encoded: buffer.readableBytesView)
    }
}

extension PostedForm {
    /// A form posted by a signed-in admin, when it carries the session's CSRF token.
    static func read(_ request: Request, context: WebRequestContext, by admin: AuthenticatedAdmin) async throws -> PostedForm? {
        let form = try await read(request, context: context)
        return FormCSRF.isValid(form["csrf"], cookie: admin.token.value, purpose: FormCSRF.sessionFormPurpose) ? form : nil
    }
}
