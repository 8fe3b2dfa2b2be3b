public import AsyncHTTPClient
public import IPMDomain
import NIOCore
import NIOHTTP1

/// Calls UPS's resource APIs for the proxy: `IPM_UPS_BASE_URL` + `/` + path + query, with the
/// company's bearer token, redirects not followed (the `HTTPClient` of `UPSProvider.makeHTTPClient`),
/// the whole exchange within `timeout` and the answer read up to `maxResponseBytes`.
public struct UPSResourceForwarder: UPSResourceForwarding {
    private let configuration: UPSProviderConfiguration
    private let httpClient: HTTPClient
    private let timeout: Duration
    private let maxResponseBytes: Int

    public init(
        configuration: UPSProviderConfiguration, httpClient: HTTPClient, timeout: Duration = .seconds(30), maxResponseBytes: Int = 10 * 1024 * 1024
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    public func forward(_ request: UPSResourceRequest, bearer: Secret) async throws -> UPSResourceResponse {
        var outbound = HTTPClientRequest(url: configuration.url("/" + request.target.path) + (request.target.query.map { "?" + $0 } ?? ""))
        outbound.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outbound.headers.add(name: header.name, value: header.value) }
        outbound.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(bearer.value)")
        if !request.body.isEmpty { outbound.body = .bytes(ByteBuffer(bytes: request.body)) }
        let answer: BoundedExchange.Answer
        do {
            answer = try await BoundedExchange.send(outbound, on: httpClient, timeout: timeout, cap: maxResponseBytes)
        } catch {
            let timedOut = error is TotalTimeoutExceeded || [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error as? HTTPClientError)
            // The classifier's words say what happened without echoing anything sent.
            let (_, _, what) = UPSErrorClassifier.describe(error, timeout: timeout)
            throw UPSResourceForwardingError(timedOut ? .timeout : .unreachable, what)
        }
        guard let body = answer.body else {
            throw UPSResourceForwardingError(.responseTooLarge, "UPS's answer is larger than \(maxResponseBytes) bytes")
        }
        return UPSResourceResponse(status: answer.status, contentType: answer.headers.first(name: "Content-Type"), body: body)
    }
}
