import Foundation
import IPMAPIModels
import IPMHTTP
import Testing

/// Every wire model against `/openapi.json`: a sample with every optional property set is
/// encoded as the server encodes it, and its keys and value types must be exactly the
/// schema's properties (a property added to the model or to the schema alone fails here);
/// every schema the document declares is covered by a model; each model decodes back to
/// itself, as the client reads it.
@Suite("API models match the OpenAPI document")
struct APIModelSchemaTests {
    static let when = Date(timeIntervalSince1970: 1_790_000_000)
    static let uuid = "8E0C5F4A-2D7B-4C41-9B7E-0F3A6C1D2E5F"

    static let optIn = OptInAttemptJSON(state: "waiting", startedAt: when, startedBy: "alice", expiresAt: when, message: "Waiting for UPS.")
    static let company = CompanyJSON(
        id: uuid, name: "Acme", createdAt: when, role: "admin", status: "reauthorization_required", statusTitle: "Re-authorization required",
        reauthorizationReason: "UPS refused the refresh token.", authorizedAt: when, accessTokenExpiresAt: when, refreshTokenExpiresAt: when,
        updatedAt: when, blockedReason: "Blocked Merchant", blockedAt: when, lastRefreshedAt: when, consecutiveFailures: 3,
        lastError: "UPS timed out", nextAttemptAt: when, failing: true, optInURL: "https://ipm.example.com/oauth/ups/start?company=\(uuid)",
        optIn: optIn
    )
    static let event = AuditEventJSON(id: uuid, occurredAt: when, actor: "alice", action: "opted_in", title: "Opted in", detail: "by alice")
    static let account = AccountJSON(id: uuid, signInName: "alice", displayName: "Alice", email: "alice@example.com", createdAt: when)
    static let session = SessionJSON(id: uuid, kind: "cli", createdAt: when, expiresAt: when)
    static let notification = NotificationJSON(
        id: uuid, companyID: uuid, companyName: "Acme", kind: "reauthorization_required", message: "Opt in again.", occurredAt: when, read: false,
        optInURL: "https://ipm.example.com/oauth/ups/start?company=\(uuid)"
    )
    static let delivery = WebhookDeliveryJSON(
        id: uuid, companyID: uuid, companyName: "Acme", event: "ups_connection.opted_in", state: "pending", createdAt: when, attempts: 2,
        lastAttemptAt: when, lastStatus: 500, lastError: "HTTP 500", nextAttemptAt: when, deliveredAt: when, deadAt: when
    )
    static let apiToken = APITokenJSON(id: uuid, name: "ci", createdAt: when, expiresAt: when, lastUsedAt: when, expired: false)

    /// Each model, and where its schema is in the document (a component, or a route's inline schema).
    static let samples: [(String, any Codable & Sendable)] = [
        ("#/components/schemas/Company", company),
        ("#/components/schemas/OptInAttempt", optIn),
        ("#/components/schemas/CompanyList", CompanyListJSON(companies: [company])),
        (
            "#/components/schemas/OptInStart",
            OptInStartJSON(authorizationURL: "https://onlinetools.ups.com/security/v1/oauth/authorize?x=1", expiresAt: when)
        ),
        ("#/components/schemas/AuditEvent", event),
        ("#/components/schemas/AuditEventPage", AuditEventPageJSON(events: [event], next: "1790000000000000_\(uuid)")),
        ("#/components/schemas/AccessToken", AccessTokenJSON(accessToken: "abc", expiresAt: when, expiresIn: 3599)),
        ("#/components/schemas/Account", account),
        ("#/components/schemas/Session", session),
        ("#/components/schemas/NewSession", NewSessionJSON(token: "ipm_cli_x", admin: account, session: session)),
        ("#/components/schemas/Me", MeJSON(admin: account, session: session, publicURL: "https://ipm.example.com")),
        ("#/components/schemas/Notification", notification),
        ("#/components/schemas/NotificationList", NotificationListJSON(notifications: [notification])),
        (
            "#/components/schemas/ForcedRefresh",
            ForcedRefreshJSON(outcome: "refreshed", detail: "Renewed.", accessTokenExpiresAt: when, company: company)
        ),
        ("#/components/schemas/WebhookDelivery", delivery),
        ("#/components/schemas/WebhookDeliveryList", WebhookDeliveryListJSON(deliveries: [delivery])),
        ("#/components/schemas/APIToken", apiToken),
        ("#/components/schemas/APITokenList", APITokenListJSON(tokens: [apiToken], defaultDays: 90, maxDays: 365)),
        ("#/components/schemas/IssuedAPIToken", IssuedAPITokenJSON(token: "ipm_pat_x", apiToken: apiToken)),
        ("#/paths/~1api~1v1~1sessions/post/requestBody/content/application~1json/schema", SignInJSON(signInName: "alice", password: "secret")),
        (
            "#/paths/~1api~1v1~1oauth~1complete/post/requestBody/content/application~1json/schema",
            PasteJSON(redirectedURL: "https://ipm.example.com/oauth/ups/callback?code=c&state=s")
        ),
        ("#/paths/~1api~1v1~1api-tokens/post/requestBody/content/application~1json/schema", NewAPITokenJSON(name: "ci", days: 30)),
        ("#/paths/~1api~1v1~1notifications~1read/post/responses/200/content/application~1json/schema", MarkedReadJSON(marked: 2)),
    ]

    /// Schemas of the document that are not a model of `IPMAPIModels`: problem+json is the
    /// HTTP front's own error body.
    static let notModels: Set<String> = ["Problem"]

    @Test func everyModelHasExactlyTheSchemasPropertiesAndTypes() throws {
        let document = try Schema.document()
        var covered: Set<String> = []
        for (pointer, sample) in Self.samples {
            let schema = try #require(Schema.resolve(pointer, in: document), "\(pointer) is not in /openapi.json")
            let encoded = try JSONSerialization.jsonObject(with: APIJSONCoding.encoder().encode(sample))
            let problems = Schema.check(encoded, schema, path: "\(type(of: sample))", document: document, covered: &covered)
            #expect(problems.isEmpty, "\(type(of: sample)) vs \(pointer):\n\(problems.joined(separator: "\n"))")
            if pointer.hasPrefix("#/components/schemas/") { covered.insert(String(pointer.dropFirst("#/components/schemas/".count))) }
        }
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let uncovered = Set(schemas.keys).subtracting(covered).subtracting(Self.notModels)
        #expect(uncovered.isEmpty, "schemas without a model in IPMAPIModels: \(uncovered.sorted())")
    }

    @Test func everyModelDecodesBackToItself() throws {
        func roundTrip<T: Codable & Sendable>(_ value: T) throws -> Bool {
            let data = try APIJSONCoding.encoder().encode(value)
            let again = try APIJSONCoding.decoder().decode(T.self, from: data)
            return try APIJSONCoding.encoder().encode(again) == data
        }
        for (pointer, sample) in Self.samples {
            #expect(try roundTrip(sample), "\(type(of: sample)) (\(pointer))")
        }
    }

    @Test func theCheckerNoticesAPropertyOnOneSideOnly() throws {
        let document = try Schema.document()
        let schema = try #require(Schema.resolve("#/components/schemas/OptInStart", in: document))
        var covered: Set<String> = []
        let extra: [String: Any] = ["authorizationURL": "https://x.example/a", "expiresAt": "2026-01-01T00:00:00Z", "added": "x"]
        #expect(!Schema.check(extra, schema, path: "extra", document: document, covered: &covered).isEmpty)
        let missing: [String: Any] = ["authorizationURL": "https://x.example/a"]
        #expect(!Schema.check(missing, schema, path: "missing", document: document, covered: &covered).isEmpty)
        let wrongType: [String: Any] = ["authorizationURL": "https://x.example/a", "expiresAt": 12]
        #expect(!Schema.check(wrongType, schema, path: "wrongType", document: document, covered: &covered).isEmpty)
    }
}

/// A small reader of the document's JSON Schema: just what the API uses.
enum Schema {
    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as? [String: Any])
    }

    /// A JSON pointer (`#/a/b`, `~1` for `/`).
    static func resolve(_ pointer: String, in document: [String: Any]) -> [String: Any]? {
        var node: Any = document
        for part in pointer.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (node as? [String: Any])?[key] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    /// What does not match: keys both ways (a sample sets every optional property), and types.
    static func check(_ value: Any, _ schema: [String: Any], path: String, document: [String: Any], covered: inout Set<String>) -> [String] {
        if let reference = schema["$ref"] as? String {
            covered.insert(String(reference.split(separator: "/").last ?? ""))
            guard let target = resolve(reference, in: document) else { return ["\(path): \(reference) does not resolve"] }
            return check(value, target, path: path, document: document, covered: &covered)
        }
        if let options = schema["enum"] as? [String] {
            guard let text = value as? String, options.contains(text) else { return ["\(path): \(value) is not one of \(options)"] }
            return []
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            var problems: [String] = []
            for key in Set(object.keys).subtracting(properties.keys).sorted() { problems.append("\(path).\(key): in the model, not in the schema") }
            for key in Set(properties.keys).subtracting(object.keys).sorted() { problems.append("\(path).\(key): in the schema, not in the model") }
            for key in (schema["required"] as? [String] ?? []) where object[key] == nil { problems.append("\(path).\(key): required") }
            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                if let inner = object[key] { problems += check(inner, property, path: "\(path).\(key)", document: document, covered: &covered) }
            }
            return problems
        case "array":
            guard let items = value as? [Any] else { return ["\(path): not an array"] }
            guard let itemSchema = schema["items"] as? [String: Any] else { return [] }
            return items.enumerated().flatMap { check($1, itemSchema, path: "\(path)[\($0)]", document: document, covered: &covered) }
        case "string":
            guard let text = value as? String else { return ["\(path): not a string"] }
            switch schema["format"] as? String {
            case "date-time": return ISO8601DateFormatter().date(from: text) == nil ? ["\(path): '\(text)' is not a date-time"] : []
            case "uuid": return UUID(uuidString: text) == nil ? ["\(path): '\(text)' is not a uuid"] : []
            case "uri": return URL(string: text)?.scheme == nil ? ["\(path): '\(text)' is not a URI"] : []
            default: return []
            }
        case "integer":
            return value is String || (value as? Int) == nil ? ["\(path): not an integer"] : []
        case "boolean":
            return (value as? Bool) == nil || value is String ? ["\(path): not a boolean"] : []
        default:
            return ["\(path): the schema has no type this check knows"]
        }
    }
}
