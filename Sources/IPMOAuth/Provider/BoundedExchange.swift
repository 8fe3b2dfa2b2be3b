import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP exchange, head and body, within one deadline and a size cap. AsyncHTTPClient's
/// deadline stops at the response head, so a body that trickles in is bounded here.
enum BoundedExchange {
    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        /// nil when the body is larger than the cap.
        let body: [UInt8]?
    }

    static func send(_ request: HTTPClientRequest, on client: HTTPClient, timeout: Duration, cap: Int) async throws -> Answer {
        try await withThrowingTaskGroup(of: Answer.self) { group in
            group.addTask {
                let response = try await client.execute(request, timeout: timeout.timeAmount)
                do {
                    let body = try await response.body.collect(upTo: cap)
                    return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
                } catch is NIOTooManyBytesError {
                    return Answer(status: Int(response.status.code), headers: response.headers, body: nil)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TotalTimeoutExceeded()
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() else { throw TotalTimeoutExceeded() }
            return answer
        }
    }
}
