import AsyncHTTPClient
public import IPMDomain
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a failed token call into the engine's three outcomes. Pure: it sees a status and
/// a body, or a transport error, never the network.
///
/// | what happened | kind | delivery |
/// |---|---|---|
/// | no connection (refused, DNS, connect timeout, TLS handshake) | transient | notSent |
/// | total timeout, connection closed or reset, any other transport error | transient | unknown |
/// | 5xx, 429, 408, or UPS code 10429 | transient | answered |
/// | 2xx with an unusable body (see `unusableTokenResponse`) | transient | answered |
/// | 4xx with code 10401, `invalid_client` or `unauthorized_client`; 401 saying the client is invalid | misconfigured | answered |
/// | 3xx, 404, 405: no token service at the configured address | misconfigured | answered |
/// | 403: UPS's documented "Blocked Merchant", an account-level block | blocked | answered |
/// | base URL not usable by the HTTP client | misconfigured | notSent |
/// | any other 4xx | refused | answered |
/// | any other status | transient | answered |
public enum UPSErrorClassifier {
    /// Longest piece of UPS's own text kept in a message.
    static let upsTextLimit = 200

    /// A non-2xx answer. `secrets` are the values the request carried; should UPS echo one,
    /// it is cut out of the message.
    public static func classify(
        status: Int, body: some Collection<UInt8>, operation: UPSTokenOperation, redacting secrets: [Secret] = []
    ) -> AuthorizationServerError {
        let details = UPSErrorBody.parse(body)
        let code = details?.code.map { SafeText.clean($0, limit: 32, redacting: secrets) }
        let says = details?.message.map { ": UPS says \"\(SafeText.clean($0, limit: upsTextLimit, redacting: secrets))\"" } ?? ""
        func error(_ kind: AuthorizationServerError.Kind, _ what: String, hint: String = "") -> AuthorizationServerError {
            AuthorizationServerError(kind, code: code, message: "\(operation.name) \(what) (HTTP \(status))\(says)\(hint)", delivery: .answered)
        }

        if status == 429 || code == "10429" { return error(.transient, "was rate-limited") }
        switch status {
        case 500...599: return error(.transient, "failed on UPS's side")
        case 408: return error(.transient, "timed out at UPS")
        case 300...399, 404, 405:
            return error(.misconfigured, "found no token service at the configured address", hint: "; check IPM_UPS_BASE_URL")
        case 403:
            // UPS documents 403 on authorize, token and refresh only as "Blocked Merchant": the
            // grant is not refused, and opting in again cannot lift it.
            return error(
                .blocked, "was refused because UPS has blocked the merchant", hint: "; opting in again does not help until UPS lifts the block")
        case 400...499 where isInvalidClient(status: status, details: details):
            return error(
                .misconfigured, "was refused because UPS does not accept IPM's client credentials",
                hint: "; check IPM_UPS_CLIENT_ID and IPM_UPS_CLIENT_SECRET")
        case 400...499: return error(.refused, "was refused")
        default: return error(.transient, "got an unexpected answer")
        }
    }

    /// A 2xx whose body is not a usable token response. Transient, deliberately: UPS has
    /// not said the grant is dead, and retrying settles it. For a refresh, UPS may have
    /// consumed the token; the retry then gets a definitive 4xx refusal, which is the right
    /// outcome. Declaring the opt-in dead on a garbled body (a proxy's page, a truncated
    /// answer) would force a re-authorization that may not be needed.
    public static func unusableTokenResponse(status: Int, reason: String, operation: UPSTokenOperation) -> AuthorizationServerError {
        AuthorizationServerError(.transient, message: "\(operation.name) got HTTP \(status) but \(reason)", delivery: .answered)
    }

    /// The request did not produce an answer. `timeout` is the total timeout, for the message.
    public static func classify(transportError: any Error, operation: UPSTokenOperation, timeout: Duration) -> AuthorizationServerError {
        let (kind, delivery, what) = describe(transportError, timeout: timeout)
        return AuthorizationServerError(kind, message: "\(operation.name) failed: \(what)", delivery: delivery)
    }

    static func describe(_ error: any Error, timeout: Duration) -> (AuthorizationServerError.Kind, AuthorizationServerError.Delivery, String) {
        let noAnswer = "UPS did not answer within \(timeout.secondsText)"
        switch error {
        case is TotalTimeoutExceeded:
            return (.transient, .unknown, noAnswer)
        case let error as NIOConnectionError:
            if error.connectionErrors.contains(where: { isConnectionRefused($0.error) }) {
                return (.transient, .notSent, "could not connect to UPS (connection refused); nothing was sent")
            }
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return (.transient, .notSent, "could not resolve UPS's host name; nothing was sent")
            }
            return (.transient, .notSent, "could not connect to UPS; nothing was sent")
        case let error as IOError where isConnectionRefused(error):
            return (.transient, .notSent, "could not connect to UPS (connection refused); nothing was sent")
        case ChannelError.connectTimeout:
            return (.transient, .notSent, "could not connect to UPS in time; nothing was sent")
        case let error as HTTPClientError:
            return describe(error, noAnswer: noAnswer)
        case is CancellationError:
            return (.transient, .unknown, "the request was cancelled")
        case let error as IOError:
            return (.transient, .unknown, "the connection to UPS failed (\(String(cString: strerror(error.errnoCode))))")
        default:
            // The type name only: descriptions of foreign errors are not ours to vouch for.
            return (.transient, .unknown, "the connection to UPS failed (\(String(describing: type(of: error))))")
        }
    }

    private static func describe(
        _ error: HTTPClientError, noAnswer: String
    ) -> (AuthorizationServerError.Kind, AuthorizationServerError.Delivery, String) {
        switch error {
        case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
            return (.transient, .notSent, "could not connect to UPS in time; nothing was sent")
        case .deadlineExceeded, .readTimeout, .writeTimeout:
            return (.transient, .unknown, noAnswer)
        case .remoteConnectionClosed:
            return (.transient, .unknown, "UPS closed the connection before answering")
        case .cancelled:
            return (.transient, .unknown, "the request was cancelled")
        case .invalidURL, .emptyHost, .emptyScheme:
            return (.misconfigured, .notSent, "the UPS address is not a usable URL; check IPM_UPS_BASE_URL")
        case .alreadyShutdown:
            return (.transient, .notSent, "the HTTP client is shut down; nothing was sent")
        default:
            if error.shortName == "unsupportedScheme" {
                return (.misconfigured, .notSent, "the UPS address must be http or https; check IPM_UPS_BASE_URL")
            }
            return (.transient, .unknown, "the HTTP exchange with UPS failed (\(error.shortName))")
        }
    }

    private static func isInvalidClient(status: Int, details: UPSErrorBody?) -> Bool {
        guard let details else { return false }
        if let code = details.code, ["10401", "invalid_client", "unauthorized_client"].contains(code) { return true }
        guard status == 401, let message = details.message?.lowercased() else { return false }
        return message.contains("client") && message.contains("invalid")
    }

    private static func isConnectionRefused(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == ECONNREFUSED
    }
}

/// The provider's own deadline over the whole call, body included.
struct TotalTimeoutExceeded: Error {}

extension HTTPClientError {
    /// `HTTPClientError.unsupportedScheme("ftp")` → `unsupportedScheme`: the case, no payload.
    fileprivate var shortName: String {
        let text = String(describing: self)
        let prefix = "HTTPClientError."
        guard text.hasPrefix(prefix) else { return "unknown" }
        return String(text.dropFirst(prefix.count).prefix { $0.isLetter || $0.isNumber })
    }
}

extension Duration {
    /// "15 s", "0.25 s".
    var secondsText: String {
        let (seconds, attoseconds) = components
        let fraction = Double(attoseconds) / 1e18
        return fraction == 0 ? "\(seconds) s" : "\(Double(seconds) + fraction) s"
    }
}
