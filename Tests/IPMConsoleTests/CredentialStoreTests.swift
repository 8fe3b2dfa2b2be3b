import Foundation
import IPMConsole
import IPMDomain
import Testing

/// Where a console keeps `ipm login`'s token, and which connection a front's settings name.
@Suite("console credential store and connection")
struct CredentialStoreTests {
    @Test func tokenStoreFollowsXDG() throws {
        #expect(try CredentialStore.standard(environment: ["XDG_CONFIG_HOME": "/tmp/x/", "HOME": "/home/a"]).file == "/tmp/x/ipm/session")
        #expect(try CredentialStore.standard(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/a"]).file == "/home/a/.config/ipm/session")
    }

    @Test func eachServerHasATokenFileOfItsOwn() throws {
        let home = ["XDG_CONFIG_HOME": "/tmp/x"]
        func file(_ url: String) throws -> String {
            try CredentialStore.standard(for: .server(URL(string: url)!), environment: home).file
        }
        #expect(try file("https://IPM.example.com/") == "/tmp/x/ipm/session@https_ipm.example.com_443")
        #expect(try file("https://ipm.example.com:443/ipm") == "/tmp/x/ipm/session@https_ipm.example.com_443", "one origin, one token")
        #expect(try file("http://127.0.0.1:8080") == "/tmp/x/ipm/session@http_127.0.0.1_8080")
        #expect(try file("http://[::1]:8080").hasPrefix("/tmp/x/ipm/session@http_"))
        #expect(try !file("http://[::1]:8080").dropFirst("/tmp/x/ipm/".count).contains(where: { ":/[]".contains($0) }))
        #expect(try file("https://evil/../x") != "/tmp/x/session", "the host never becomes a path")
    }

    @Test func plainHTTPOnlyToThisMachineUnlessInsecure() throws {
        func connection(_ arguments: [String]) throws -> AdminConnection {
            try AdminConnection(server: arguments[1], insecure: arguments.contains("--insecure"), environment: [:])
        }
        #expect(try connection(["--server", "http://127.0.0.1:8080"]) == .server(URL(string: "http://127.0.0.1:8080")!))
        #expect(try connection(["--server", "http://localhost:8080"]) == .server(URL(string: "http://localhost:8080")!))
        #expect(try connection(["--server", "http://[::1]:8080"]) == .server(URL(string: "http://[::1]:8080")!))
        #expect(try connection(["--server", "https://ipm.example.com"]) == .server(URL(string: "https://ipm.example.com")!))
        #expect(throws: (any Error).self) { try connection(["--server", "http://ipm.example.com"]) }
        #expect(throws: (any Error).self) { try connection(["--server", "http://127.0.0.1.example.com"]) }
        #expect(throws: (any Error).self) { try connection(["--server", "http://127.evil.example"]) }
        #expect(try connection(["--server", "http://127.0.0.2:8080"]) == .server(URL(string: "http://127.0.0.2:8080")!))
        #expect(try connection(["--server", "http://ipm.example.com", "--insecure"]) == .server(URL(string: "http://ipm.example.com")!))
        #expect(throws: (any Error).self) { try connection(["--server", "https://ipm.example.com/?x=1"]) }
        #expect(
            try AdminConnection(server: nil, insecure: false, environment: ["IPM_SERVER": "https://a.example"])
                == .server(URL(string: "https://a.example")!))
        #expect(try AdminConnection(server: nil, insecure: false, environment: ["IPM_SERVER": ""]) == .database)
    }

    @Test func storedTokenRoundTripsAndAFileOthersCanReadIsRefused() throws {
        let directory = NSTemporaryDirectory() + "ipm-console-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CredentialStore(directory: directory)
        #expect(try store.load() == nil)
        try store.save(Secret("token-1"))
        #expect(try store.load()?.value == "token-1")
        let mode = try FileManager.default.attributesOfItem(atPath: store.file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store.file)
        let failure = #expect(throws: ConsoleFailure.self) { try store.load() }
        #expect(failure?.kind == .failed)
        try store.remove()
        #expect(try store.load() == nil)
    }
}
