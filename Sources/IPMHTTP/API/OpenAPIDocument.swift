public import Hummingbird
import NIOCore

/// `/openapi.json`: the OpenAPI 3.1 description of what this server answers to programs.
/// `OpenAPIDocumentTests` checks its paths against the router's routes both ways.
public enum OpenAPIDocument {
    public static func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    public static let text = #"""
        {
          "openapi": "3.1.0",
          "info": {"title": "Intelligent Pickup Manager API", "version": "1.0.0",
                   "description": "Companies, their UPS OAuth opt-in, opt-out, forced refreshes, activity and webhook deliveries. Authenticate with Authorization: Bearer <token> (a personal API token from Manage → API tokens, or a terminal sign-in's session token), or with the browser session cookie plus the X-CSRF-Token header for changes. Errors are application/problem+json."},
          "servers": [{"url": "/"}],
          "components": {
            "securitySchemes": {
              "session": {"type": "http", "scheme": "bearer"},
              "cookie": {"type": "apiKey", "in": "cookie", "name": "ipm_session"},
              "serviceToken": {"type": "http", "scheme": "bearer",
                "description": "A service token (ipm_svc_…) for the deployment's other services, made with ipm service-token create NAME --scope access-token|proxy; admins' tokens are refused"}
            },
            "parameters": {
              "companyID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
              "deliveryID": {"name": "deliveryID", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"},
                "description": "The delivery's id: its event's id (X-IPM-Event-Id)"},
              "upsPath": {"name": "path", "in": "path", "required": true, "schema": {"type": "string"},
                "description": "A UPS API path under IPM_UPS_BASE_URL, slashes included, e.g. api/track/v1/details/1Z999AA10123456784; the query string is passed on too. Only UPS API paths (api/…): UPS's OAuth endpoints (security/…) and anything else on that host, '.' and '..' segments, encoded slashes, empty segments and absolute URLs are refused (400)"}
            },
            "responses": {
              "Problem": {"description": "An error", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
              "UPSAnswer": {"description": "UPS's status, content type and body, sent with the company's access token (refreshed and sent once more after a 401); or a problem from IPM: 400 bad path, 401/403 service token, 401 when UPS refuses even a renewed token with 250002 (the API is not enabled for IPM's UPS app, or the company's authorization is not accepted), 404 company, 409 not opted in or re-authorization required, 413 body over 10 MiB, 502 UPS unreachable or answer over 10 MiB, 503 no valid token now (Retry-After), 504 UPS too slow",
                "content": {"*/*": {"schema": {}}, "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            },
            "schemas": {
              "Problem": {"type": "object", "required": ["type", "title", "status", "detail"],
                "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
                  "outcome": {"type": "string", "description": "The outcome's short word, where one route answers several (a forced refresh)"}}},
              "Company": {"type": "object", "required": ["id", "name", "createdAt", "role", "status", "statusTitle"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}, "role": {"enum": ["admin", "viewer"]},
                  "status": {"enum": ["not_connected", "authenticated", "reauthorization_required", "opted_out", "blocked"]}, "statusTitle": {"type": "string"},
                  "reauthorizationReason": {"type": "string"}, "authorizedAt": {"type": "string", "format": "date-time"},
                  "accessTokenExpiresAt": {"type": "string", "format": "date-time"}, "refreshTokenExpiresAt": {"type": "string", "format": "date-time"},
                  "updatedAt": {"type": "string", "format": "date-time"},
                  "blockedReason": {"type": "string", "description": "While blocked: UPS answered 403 Blocked Merchant; the tokens are kept and IPM retries slowly"},
                  "blockedAt": {"type": "string", "format": "date-time"},
                  "lastRefreshedAt": {"type": "string", "format": "date-time", "description": "The last successful token refresh"},
                  "consecutiveFailures": {"type": "integer", "description": "Failed refreshes since the last success"},
                  "lastError": {"type": "string", "description": "The last refresh failure, in plain words"},
                  "nextAttemptAt": {"type": "string", "format": "date-time", "description": "No refresh before this time (backoff, or the blocked interval)"},
                  "failing": {"type": "boolean", "description": "Blocked, or at least one refresh failed since the last success"},
                  "optInURL": {"type": "string", "format": "uri", "description": "While re-authorization is required: IPM's own start page to opt in again (asks the admin to sign in)"},
                  "optIn": {"$ref": "#/components/schemas/OptInAttempt"}}},
              "OptInAttempt": {"type": "object", "required": ["state", "startedAt", "startedBy", "expiresAt", "message"],
                "description": "On one company's status only: the latest opt-in while it waits for UPS (waiting), or when it never came back and expired (expired; UPS may have shown an error page).",
                "properties": {"state": {"enum": ["waiting", "expired"]}, "startedAt": {"type": "string", "format": "date-time"}, "startedBy": {"type": "string"},
                  "expiresAt": {"type": "string", "format": "date-time"}, "message": {"type": "string"}}},
              "CompanyList": {"type": "object", "required": ["companies"], "properties": {"companies": {"type": "array", "items": {"$ref": "#/components/schemas/Company"}}}},
              "OptInStart": {"type": "object", "required": ["authorizationURL", "expiresAt"],
                "properties": {"authorizationURL": {"type": "string", "format": "uri"}, "expiresAt": {"type": "string", "format": "date-time"}}},
              "AuditEvent": {"type": "object", "required": ["id", "occurredAt", "actor", "action", "title", "detail"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "occurredAt": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                  "action": {"type": "string"}, "title": {"type": "string"}, "detail": {"type": "string"}}},
              "AccessToken": {"type": "object", "required": ["access_token", "token_type", "expires_at", "expires_in"],
                "properties": {"access_token": {"type": "string"}, "token_type": {"enum": ["Bearer"]}, "expires_at": {"type": "string", "format": "date-time"},
                  "expires_in": {"type": "integer", "description": "Whole seconds from now"}}},
              "AuditEventPage": {"type": "object", "required": ["events"],
                "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEvent"}}, "next": {"type": "string"}}},
              "Account": {"type": "object", "required": ["id", "signInName", "displayName", "createdAt"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "signInName": {"type": "string"}, "displayName": {"type": "string"},
                  "email": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}}},
              "Session": {"type": "object", "required": ["id", "kind", "createdAt", "expiresAt"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "kind": {"enum": ["web", "cli"]},
                  "createdAt": {"type": "string", "format": "date-time"}, "expiresAt": {"type": "string", "format": "date-time"}}},
              "NewSession": {"type": "object", "required": ["token", "admin", "session"],
                "properties": {"token": {"type": "string", "description": "Send as Authorization: Bearer; shown once"},
                  "admin": {"$ref": "#/components/schemas/Account"}, "session": {"$ref": "#/components/schemas/Session"}}},
              "Me": {"type": "object", "required": ["admin", "publicURL"],
                "properties": {"admin": {"$ref": "#/components/schemas/Account"}, "session": {"$ref": "#/components/schemas/Session"},
                  "publicURL": {"type": "string", "format": "uri", "description": "Where people reach the web pages (IPM_PUBLIC_URL)"}}},
              "Notification": {"type": "object", "required": ["id", "companyID", "companyName", "kind", "message", "occurredAt", "read"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "companyID": {"type": "string", "format": "uuid"}, "companyName": {"type": "string"},
                  "kind": {"enum": ["opted_in", "opted_out", "reauthorization_required", "refresh_failing", "recovered", "blocked", "refresh_token_expiring"]}, "message": {"type": "string"},
                  "occurredAt": {"type": "string", "format": "date-time"}, "read": {"type": "boolean"},
                  "optInURL": {"type": "string", "format": "uri", "description": "For reauthorization_required and refresh_token_expiring: IPM's own start page to opt in again"}}},
              "ForcedRefresh": {"type": "object", "required": ["outcome", "detail", "company"],
                "properties": {"outcome": {"enum": ["refreshed", "not_due"]}, "detail": {"type": "string"},
                  "accessTokenExpiresAt": {"type": "string", "format": "date-time"}, "company": {"$ref": "#/components/schemas/Company"}}},
              "WebhookDelivery": {"type": "object", "required": ["id", "companyID", "companyName", "event", "state", "createdAt", "attempts"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "companyID": {"type": "string", "format": "uuid"}, "companyName": {"type": "string"},
                  "event": {"type": "string", "description": "The webhook event type, e.g. ups_connection.opted_in"},
                  "state": {"enum": ["pending", "delivered", "dead"]}, "createdAt": {"type": "string", "format": "date-time"},
                  "attempts": {"type": "integer"}, "lastAttemptAt": {"type": "string", "format": "date-time"},
                  "lastStatus": {"type": "integer", "description": "The receiver's HTTP status at the last attempt; absent when nothing answered"},
                  "lastError": {"type": "string", "description": "Why the last attempt failed; absent after a success"},
                  "nextAttemptAt": {"type": "string", "format": "date-time", "description": "Pending deliveries only"},
                  "deliveredAt": {"type": "string", "format": "date-time"},
                  "deadAt": {"type": "string", "format": "date-time", "description": "Failed for longer than IPM_WEBHOOK_GIVE_UP_AFTER; sent again only when redelivered"}}},
              "WebhookDeliveryList": {"type": "object", "required": ["deliveries"],
                "properties": {"deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}}}},
              "NotificationList": {"type": "object", "required": ["notifications"],
                "properties": {"notifications": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}}}},
              "APIToken": {"type": "object", "required": ["id", "name", "createdAt", "expiresAt", "expired"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"},
                  "expiresAt": {"type": "string", "format": "date-time"}, "expired": {"type": "boolean"},
                  "lastUsedAt": {"type": "string", "format": "date-time", "description": "Updated at most once a minute; absent when never used"}}},
              "APITokenList": {"type": "object", "required": ["tokens", "defaultDays", "maxDays"],
                "properties": {"tokens": {"type": "array", "items": {"$ref": "#/components/schemas/APIToken"}},
                  "defaultDays": {"type": "integer", "description": "IPM_API_TOKEN_DAYS"}, "maxDays": {"type": "integer", "description": "IPM_API_TOKEN_MAX_DAYS"}}},
              "IssuedAPIToken": {"type": "object", "required": ["token", "apiToken"],
                "properties": {"token": {"type": "string", "description": "ipm_pat_…; send as Authorization: Bearer; shown once"},
                  "apiToken": {"$ref": "#/components/schemas/APIToken"}}}
            }
          },
          "security": [{"session": []}, {"cookie": []}],
          "paths": {
            "/api/v1/companies": {
              "get": {"summary": "The caller's companies with their UPS OAuth status and connection health", "operationId": "listCompanies",
                "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}, "style": "form", "explode": false,
                    "description": "Only companies in one of these states, comma-separated: not_connected, authenticated, reauthorization_required, opted_out, blocked, or failing (blocked, or refreshes failing)"},
                  {"name": "failing", "in": "query", "schema": {"type": "boolean"}, "description": "true: the same as status=failing"}],
                "responses": {"200": {"description": "Companies", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CompanyList"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}": {
              "get": {"summary": "One company", "operationId": "getCompany", "parameters": [{"$ref": "#/components/parameters/companyID"}],
                "responses": {"200": {"description": "The company", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Company"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}/opt-in": {
              "post": {"summary": "Start an opt-in; send the browser of the same session to the authorization URL", "operationId": "startOptIn",
                "parameters": [{"$ref": "#/components/parameters/companyID"}],
                "responses": {"201": {"description": "Started", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OptInStart"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}/opt-out": {
              "post": {"summary": "Opt out: destroy the company's UPS tokens", "operationId": "optOut", "parameters": [{"$ref": "#/components/parameters/companyID"}],
                "responses": {"200": {"description": "Opted out", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Company"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"},
                  "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}/events": {
              "get": {"summary": "The company's audit events, newest first", "operationId": "listEvents",
                "parameters": [{"$ref": "#/components/parameters/companyID"},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
                  {"name": "before", "in": "query", "schema": {"type": "string"}, "description": "The next value of the previous page; anything else is 400"}],
                "responses": {"200": {"description": "A page of events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditEventPage"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}/ups/access-token": {
              "get": {"summary": "The company's valid UPS access token, refreshed first when it is within the refresh margin (service token with scope access-token)",
                "operationId": "getUPSAccessToken", "security": [{"serviceToken": []}], "parameters": [{"$ref": "#/components/parameters/companyID"}],
                "responses": {"200": {"description": "The token; never cache it (Cache-Control: no-store)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AccessToken"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                  "409": {"$ref": "#/components/responses/Problem"}, "502": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}/ups/proxy/{path}": {
              "get": {"summary": "GET to UPS through the proxy", "operationId": "proxyUPSGet", "security": [{"serviceToken": []}],
                "parameters": [{"$ref": "#/components/parameters/companyID"}, {"$ref": "#/components/parameters/upsPath"}],
                "responses": {"default": {"$ref": "#/components/responses/UPSAnswer"}}},
              "post": {"summary": "POST to UPS through the proxy", "operationId": "proxyUPSPost", "security": [{"serviceToken": []}],
                "parameters": [{"$ref": "#/components/parameters/companyID"}, {"$ref": "#/components/parameters/upsPath"}], "requestBody": {"content": {"*/*": {"schema": {}}}, "description": "Passed on to UPS as is (at most 10 MiB)"},
                "responses": {"default": {"$ref": "#/components/responses/UPSAnswer"}}},
              "put": {"summary": "PUT to UPS through the proxy", "operationId": "proxyUPSPut", "security": [{"serviceToken": []}],
                "parameters": [{"$ref": "#/components/parameters/companyID"}, {"$ref": "#/components/parameters/upsPath"}], "requestBody": {"content": {"*/*": {"schema": {}}}, "description": "Passed on to UPS as is (at most 10 MiB)"},
                "responses": {"default": {"$ref": "#/components/responses/UPSAnswer"}}},
              "patch": {"summary": "PATCH to UPS through the proxy", "operationId": "proxyUPSPatch", "security": [{"serviceToken": []}],
                "parameters": [{"$ref": "#/components/parameters/companyID"}, {"$ref": "#/components/parameters/upsPath"}], "requestBody": {"content": {"*/*": {"schema": {}}}, "description": "Passed on to UPS as is (at most 10 MiB)"},
                "responses": {"default": {"$ref": "#/components/responses/UPSAnswer"}}},
              "delete": {"summary": "DELETE to UPS through the proxy", "operationId": "proxyUPSDelete", "security": [{"serviceToken": []}],
                "parameters": [{"$ref": "#/components/parameters/companyID"}, {"$ref": "#/components/parameters/upsPath"}],
                "responses": {"default": {"$ref": "#/components/responses/UPSAnswer"}}}
            },
            "/api/v1/companies/{id}/ups/refresh": {
              "post": {"summary": "Refresh the company's UPS tokens now (company admins; at most once per IPM_FORCED_REFRESH_INTERVAL seconds per company, 30 by default); recorded in the company's activity",
                "operationId": "forceUPSRefresh", "parameters": [{"$ref": "#/components/parameters/companyID"}],
                "responses": {"200": {"description": "Refreshed: UPS issued a new pair", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ForcedRefresh"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                  "409": {"description": "outcome busy (another refresh of the company is under way; nothing more was sent), not_authenticated or reauthorization_required",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "429": {"description": "outcome limited: a forced refresh ran less than the interval ago; see Retry-After", "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "500": {"$ref": "#/components/responses/Problem"}, "502": {"$ref": "#/components/responses/Problem"},
                  "503": {"description": "outcome transient_failure: UPS failed for now; the connection stays authenticated", "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}
            },
            "/api/v1/companies/{id}/webhooks": {
              "get": {"summary": "The company's webhook deliveries, newest first (members of the company)", "operationId": "listWebhookDeliveries",
                "parameters": [{"$ref": "#/components/parameters/companyID"},
                  {"name": "failed", "in": "query", "schema": {"type": "boolean", "default": false}, "description": "Only dead deliveries and those whose last attempt failed"},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}],
                "responses": {"200": {"description": "Deliveries", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookDeliveryList"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/companies/{id}/webhooks/{deliveryID}/redeliver": {
              "post": {"summary": "Send one of the company's webhook events again (company admins): due at once, its give-up period starts anew; recorded in the company's activity",
                "operationId": "redeliverWebhook", "parameters": [{"$ref": "#/components/parameters/companyID"}, {"$ref": "#/components/parameters/deliveryID"}],
                "responses": {"200": {"description": "The delivery, pending again", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookDelivery"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/oauth/complete": {
              "post": {"summary": "Finish an opt-in started through the API: the address the browser was sent back to (--paste)", "operationId": "completeOptIn",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["redirectedURL"],
                  "properties": {"redirectedURL": {"type": "string", "format": "uri"}}}}}},
                "responses": {"200": {"description": "Opted in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Company"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/sessions": {
              "post": {"summary": "Sign in from a terminal: a session token (kind cli); failures are throttled like the web sign-in", "operationId": "signIn", "security": [],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["signInName", "password"],
                  "properties": {"signInName": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {"201": {"description": "Signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewSession"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"description": "Wrong sign-in name or password, or a disabled account: the same words", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "429": {"description": "Too many failed sign-ins; see Retry-After", "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                  "503": {"description": "Too many sign-ins being checked at this moment; see Retry-After", "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}
            },
            "/api/v1/sessions/current": {
              "delete": {"summary": "Sign out: end the session whose token this is", "operationId": "signOut",
                "responses": {"204": {"description": "Signed out"}, "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/me": {
              "get": {"summary": "Who the caller is", "operationId": "whoami",
                "responses": {"200": {"description": "The caller", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/api-tokens": {
              "get": {"summary": "The caller's personal API tokens (expired ones included), with expiry and last use", "operationId": "listAPITokens",
                "responses": {"200": {"description": "Tokens", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APITokenList"}}}},
                  "401": {"$ref": "#/components/responses/Problem"}}},
              "post": {"summary": "Make a personal API token; its secret is shown once", "operationId": "createAPIToken",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"],
                  "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                    "days": {"type": "integer", "minimum": 1, "description": "Lifetime in days, at most IPM_API_TOKEN_MAX_DAYS; default IPM_API_TOKEN_DAYS"}}}}}},
                "responses": {"201": {"description": "Made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IssuedAPIToken"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/api-tokens/{token}": {
              "delete": {"summary": "Revoke one of the caller's personal API tokens", "operationId": "revokeAPIToken",
                "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"204": {"description": "Revoked"}, "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/notifications": {
              "get": {"summary": "The caller's notifications, newest first", "operationId": "listNotifications",
                "parameters": [{"name": "unread", "in": "query", "schema": {"type": "boolean", "default": false}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}],
                "responses": {"200": {"description": "Notifications", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NotificationList"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"}}}
            },
            "/api/v1/notifications/read": {
              "post": {"summary": "Mark every notification read", "operationId": "markNotificationsRead",
                "responses": {"200": {"description": "How many were unread", "content": {"application/json": {"schema": {"type": "object", "required": ["marked"],
                  "properties": {"marked": {"type": "integer"}}}}}}, "401": {"$ref": "#/components/responses/Problem"}}}
            },
            "/healthz": {"get": {"summary": "The process answers", "operationId": "health", "security": [], "responses": {"200": {"description": "Up"}}}},
            "/readyz": {"get": {"summary": "The database answers within 3 s", "operationId": "ready", "security": [],
              "responses": {"200": {"description": "Ready"}, "503": {"description": "Not ready"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics; with IPM_METRICS_TOKEN set, only for Authorization: Bearer <that token>", "operationId": "metrics", "security": [],
              "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}},
                "401": {"description": "IPM_METRICS_TOKEN is set and the request did not carry it"}}}},
            "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}}}}
          }
        }
        """#
}
