import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import UPSSandbox

@Suite("UPS sandbox")
struct SandboxApplicationTests {
    @Test func servesItsHealthCheckOverARealSocket() async throws {
        let application = SandboxApplication.build(host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await application.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
