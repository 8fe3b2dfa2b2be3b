import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// The admin API under `/sandbox/`.
@Suite("UPS sandbox: admin API")
struct AdminAPITests {
    @Test func aRegisteredClientAndAnAddedUserCanOptIn() async throws {
        try await RunningSandbox.with { ups in
            let client = #"{"clientId":"acme","clientSecret":"acme-secret","redirectURIs":["https://acme.example/cb"],"appName":"Acme Shipping"}"#
            let registered = try await ups.postJSON("/sandbox/clients", client)
            #expect(registered.status == .created, "\(registered.text)")
            #expect(!registered.text.contains("acme-secret"))
            #expect(try await ups.postJSON("/sandbox/clients", client).status == .conflict)
            let user = #"{"username":"acme-user","email":"acme@example.com","displayName":"Acme Admin","password":"Acme-Pass-1"}"#
            #expect(try await ups.postJSON("/sandbox/users", user).status == .created)
            #expect(try await ups.postJSON("/sandbox/users", user).status == .conflict)

            let query = FormFields.encode(["client_id": "acme", "redirect_uri": "https://acme.example/cb", "response_type": "code", "state": "s"])
            let authorize = try await ups.get("/security/v1/oauth/authorize?" + query)
            #expect(authorize.status == .found)
            #expect(authorize.headers[.init("appname")!] == "Acme Shipping")
            let page1 = try await ups.get(try #require(URLComponents(string: authorize.headers[.location]!)).path + "?" + query)
            #expect(page1.text.contains("authorize Acme Shipping to access"))
            let fields = HTMLForm(page1.text).hiddenFields + [("username", "acme@example.com"), ("agreement", "accepted"), ("action", "continue")]
            let page2 = try await ups.send(
                .post, SignInRoutes.path, headers: [.contentType: "application/x-www-form-urlencoded"], body: HTMLForm.encode(fields))
            #expect(page2.text.contains("Welcome back, Acme Admin"))
        }
    }

    @Test func refusedChangesSayWhy() async throws {
        try await RunningSandbox.with { ups in
            let unknown = try await ups.postJSON("/sandbox/users/nobody/password", #"{"password":"x"}"#)
            #expect(unknown.status == .notFound)
            #expect(unknown.text.contains("no UPS.com user named 'nobody'"))
            #expect(try await ups.postJSON("/sandbox/users/demo-shipper/password", #"{"password":""}"#).status == .badRequest)
            #expect(try await ups.postJSON("/sandbox/users/demo-shipper/password", #"{}"#).status == .badRequest)
            let badClient = try await ups.postJSON(
                "/sandbox/clients", #"{"clientId":"x","clientSecret":"y","redirectURIs":["ftp://x"],"appName":"X"}"#)
            #expect(badClient.status == .badRequest && badClient.text.contains("ftp://x"))
            #expect(try await ups.postJSON("/sandbox/lifetimes", #"{"accessTokenSeconds":0}"#, method: .put).status == .badRequest)
        }
    }

    @Test func lifetimesApplyToWhatIsIssuedNext() async throws {
        try await RunningSandbox.with { ups in
            let set = try await ups.postJSON("/sandbox/lifetimes", #"{"accessTokenSeconds":60,"refreshTokenSeconds":120}"#, method: .put)
            #expect(set.status == .ok)
            let lifetimes = try JSONDecoder().decode(Lifetimes.self, from: Data(try await ups.get("/sandbox/lifetimes").text.utf8))
            #expect(lifetimes == Lifetimes(accessTokenSeconds: 60, refreshTokenSeconds: 120, authorizationCodeSeconds: 300))
            let tokens = try await ups.tokens()
            #expect(tokens["expires_in"] == "60" && tokens["refresh_token_expires_in"] == "120")
        }
    }

    @Test func countersListEveryNameAndReset() async throws {
        try await RunningSandbox.with { ups in
            _ = try await ups.tokens()
            let counters = try await ups.counters()
            #expect(Set(counters.keys) == Set(SandboxCounter.allCases.map(\.rawValue)))
            #expect(counters["codes_issued"] == 1 && counters["refresh_token_reuse"] == 0)
            #expect(ups.sandbox.counters[.tokensIssued] == 1)
            #expect(try await ups.send(.post, "/sandbox/counters/reset").status == .ok)
            #expect(try await ups.counters().values.allSatisfy { $0 == 0 })
        }
    }
}

/// The configuration file's format.
@Suite("UPS sandbox: configuration")
struct SandboxConfigurationTests {
    @Test func leftOutKeysTakeTheirDefaults() throws {
        let json =
            #"{"port":0,"clients":[{"clientId":"c","clientSecret":"s","appName":"App"}],"users":[{"username":"u","email":"u@x","password":"p"}],"faults":{"serverErrorShare":0.5}}"#
        let configuration = try JSONDecoder().decode(SandboxConfiguration.self, from: Data(json.utf8))
        #expect(configuration.host == "127.0.0.1" && configuration.port == 0)
        #expect(configuration.clients[0].displayName == "App" && configuration.clients[0].redirectURIs.isEmpty)
        #expect(configuration.users[0].displayName == "u")
        #expect(configuration.lifetimes == Lifetimes())
        #expect(configuration.faults.serverErrorShare == 0.5 && configuration.faults.endpoints == FaultEndpoint.allCases)
        #expect(configuration.problems.isEmpty)
    }

    @Test func problemsNameTheSetting() {
        var configuration = SandboxConfiguration.demo()
        configuration.port = 70000
        configuration.users.append(configuration.users[0])
        configuration.faults.lostResponseShare = -1
        let problems = configuration.problems
        #expect(problems.contains("port: expected 0 to 65535, got 70000"))
        #expect(problems.contains("users: username 'demo-shipper' appears twice"))
        #expect(problems.contains("faults.lostResponseShare: expected a share from 0 to 1, got -1.0"))
    }

    @Test func theExampleFileInDocsIsAValidConfiguration() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/ups-sandbox.example.json")
        let configuration = try JSONDecoder().decode(SandboxConfiguration.self, from: Data(contentsOf: file))
        #expect(configuration.problems.isEmpty, "\(configuration.problems)")
        #expect(configuration.clients.contains { $0.clientID == "ipm-demo-client" })
    }
}
