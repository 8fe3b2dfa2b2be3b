import Foundation

/// What an error response said, read from UPS's envelope
/// `{"response":{"errors":[{"code":"10401","message":"ClientId is Invalid"}]}}` or from
/// the OAuth 2.0 form `{"error":"invalid_client","error_description":"…"}`. Raw text:
/// run it through `SafeText` before it goes anywhere.
public struct UPSErrorBody: Sendable, Hashable {
    /// UPS's code (`"10401"`) or the OAuth error (`"invalid_client"`).
    public let code: String?
    public let message: String?

    /// nil when the body is not JSON or carries neither a code nor a message.
    public static func parse(_ body: some Collection<UInt8>) -> UPSErrorBody? {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(body)) else { return nil }
        let first = (document.response?.errors ?? document.errors ?? []).first
        let code = first?.code?.text ?? document.error?.text
        let message = first?.message?.text ?? document.errorDescription?.text ?? document.message?.text
        guard code != nil || message != nil else { return nil }
        return UPSErrorBody(code: code, message: message)
    }

    public init(code: String?, message: String?) {
        self.code = code
        self.message = message
    }

    /// Every field optional and lenient, so an unexpected shape degrades to "no details".
    private struct Document: Decodable {
        struct Response: Decodable {
            let errors: [Item]?
            init(from decoder: any Decoder) throws {
                errors = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([Item].self, forKey: .errors)
            }
            enum CodingKeys: String, CodingKey { case errors }
        }
        struct Item: Decodable {
            let code: LenientJSONValue?
            let message: LenientJSONValue?
        }

        let response: Response?
        let errors: [Item]?
        let error: LenientJSONValue?
        let errorDescription: LenientJSONValue?
        let message: LenientJSONValue?

        enum CodingKeys: String, CodingKey {
            case response, errors, error, message
            case errorDescription = "error_description"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            response = try? container.decodeIfPresent(Response.self, forKey: .response)
            errors = try? container.decodeIfPresent([Item].self, forKey: .errors)
            error = try? container.decodeIfPresent(LenientJSONValue.self, forKey: .error)
            errorDescription = try? container.decodeIfPresent(LenientJSONValue.self, forKey: .errorDescription)
            message = try? container.decodeIfPresent(LenientJSONValue.self, forKey: .message)
        }
    }
}
