import ArgumentParser
import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMOAuth
import IPMPostgres
import UPSSandboxBrowser

/// `ipm-bench seed`: N companies, each opted in through the real opt-in engine against the
/// running sandbox (authorization request, the UPS.com user's sign-in over HTTP, callback,
/// code exchange, sealed pair stored), several at a time.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Create N companies and opt each in through the opt-in engine against ups-sandbox."
    )

    @Option(help: "How many companies to create and opt in.")
    var companies: Int
    @Option(help: "Opt-ins in flight at once.")
    var concurrency = 16
    @Option(help: "The sandbox's UPS.com user who signs in.")
    var upsUser = "bench-shipper"
    @Option(help: "That user's password.")
    var upsPassword = "Bench-Shipper-1"
    @Option(help: "Company names are PREFIX-1 … PREFIX-N (default: bench-<unix time>).")
    var prefix: String?
    @Option(help: "Write the company ids here, one per line (for the load generator).")
    var idsFile: String?

    func validate() throws {
        guard companies >= 1 else { throw ValidationError("--companies must be at least 1") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let environment = try await BenchEnvironment.open(databaseConnections: min(concurrency + 2, 40))
        do {
            try await seed(environment)
        } catch {
            await environment.close()
            throw error
        }
        await environment.close()
    }

    private func seed(_ environment: BenchEnvironment) async throws {
        let prefix = self.prefix ?? "bench-\(Int(Date().timeIntervalSince1970))"
        let actor = AuditActor.operator("ipm-bench")
        let admin = try await environment.admins.create(
            try NewAdmin(signInName: try SignInName("\(prefix)-seeder"), displayName: "ipm-bench seeder"),
            password: try Password("bench-\(UUID().uuidString)")
        )
        let browserClient = UPSSignInDriver.makeHTTPClient()
        let browser = UPSSignInDriver(client: browserClient)
        let ids = IDList(count: companies)
        let (companies, upsUser, upsPassword) = (self.companies, self.upsUser, self.upsPassword)
        do {
            let (_, seconds) = try await timed {
                try await forEachConcurrently(companies, width: concurrency) { index in
                    let company = try await environment.companies.create(try CompanyName("\(prefix)-\(index + 1)"), by: actor)
                    _ = try await environment.memberships.grant(.admin, to: admin.id, in: company.id, by: actor)
                    let session = SessionBinding(Secret("bench-session-\(UUID().uuidString)"))
                    let start = try await environment.optIn.start(.id(company.id), by: admin, session: session)
                    let redirected = try await browser.signIn(authorizationURL: start.authorizationURL, username: upsUser, password: upsPassword)
                    let completion = try await environment.optIn.complete(OptInCallback(redirectedURL: redirected), session: session)
                    guard completion.connection.status == .authenticated else {
                        throw BenchFailure("\(company.name) is \(completion.connection.status) after its opt-in")
                    }
                    ids.set(index, company.id.rawValue.uuidString.lowercased())
                }
            }
            if let idsFile {
                try (ids.values.joined(separator: "\n") + "\n").write(toFile: idsFile, atomically: true, encoding: .utf8)
            }
            print(
                """
                ipm-bench seed --companies \(companies) --concurrency \(concurrency)
                  companies created and opted in: \(companies) (names \(prefix)-1 … \(prefix)-\(companies))
                  elapsed: \(Figures.seconds(seconds))
                  rate: \(Figures.rate(Double(companies) / seconds)) opt-ins/s (company + membership + authorization request + UPS sign-in over HTTP + callback + code exchange)
                """)
        } catch {
            try? await browserClient.shutdown()
            throw error
        }
        try await browserClient.shutdown()
    }
}
