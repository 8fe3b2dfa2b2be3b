import ArgumentParser
import AsyncHTTPClient
import Foundation
import IPMDomain
import IPMPostgres
import NIOCore
import NIOHTTP1

/// `ipm-bench invalidation`: how long after a change committed on one `ipm-server` (the writer)
/// another (the reader) stops handing out the old token from its cache (decision 66). Per
/// sample, one company: the reader hands its token out twice (the second from memory), the
/// writer's admin API changes the company (a forced refresh, or an opt-out), and the reader is
/// asked again and again until its answer is no longer the old token; the delay runs from the
/// writer's answer (the change committed) to that first new answer.
struct InvalidationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invalidation",
        abstract: "Measure how long a change committed on one ipm-server takes to reach another's token cache."
    )

    enum Change: String, ExpressibleByArgument, CaseIterable {
        case refresh
        case optOut = "opt-out"
    }

    @Option(help: "The instance the changes are made on (its base URL).")
    var writer: String
    @Option(help: "The instance asked for tokens (its base URL).")
    var reader: String
    @Option(help: "A service token of scope access-token.")
    var serviceToken: String
    @Option(help: "Company ids, one per line (from ipm-bench seed); samples take them from the end.")
    var idsFile: String
    @Option(help: "Samples per kind of change.")
    var samples = 50
    @Option(help: "The kinds of change, in order (refresh, opt-out).")
    var changes: [Change] = [.refresh, .optOut]

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
    }

    func run() async throws {
        let ids = try String(contentsOfFile: idsFile, encoding: .utf8).split(separator: "\n").map(String.init)
        guard ids.count >= samples * changes.count else {
            throw BenchFailure("\(idsFile) holds \(ids.count) ids, fewer than \(samples) samples × \(changes.count) kinds of change")
        }
        let environment = try await BenchEnvironment.open(databaseConnections: 4)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await measure(environment, http, ids: Array(ids.suffix(samples * changes.count)))
        } catch {
            try? await http.shutdown()
            await environment.close()
            throw error
        }
        try await http.shutdown()
        await environment.close()
    }

    private func measure(_ environment: BenchEnvironment, _ http: HTTPClient, ids: [String]) async throws {
        let companies = try ids.map { id in
            guard let uuid = UUID(uuidString: id) else { throw BenchFailure("'\(id)' in \(idsFile) is no company id") }
            return CompanyID(uuid)
        }
        // An admin of the sampled companies, with an API token for the writer's admin API.
        let admin = try await environment.admins.create(
            try NewAdmin(signInName: try SignInName("bench-invalidation-\(Int(Date().timeIntervalSince1970))"), displayName: "ipm-bench"),
            password: try Password("bench-\(UUID().uuidString)")
        )
        for company in companies {
            _ = try await environment.memberships.grant(.admin, to: admin.id, in: company, by: .operator("ipm-bench"))
        }
        let adminToken = try await APITokenService(
            tokens: PostgresAPITokenRepository(client: environment.client), admins: environment.admins, clock: environment.clock,
            random: SystemRandomSource()
        ).create(named: "ipm-bench invalidation", days: 1, for: admin).secret.value
        let client = Client(http: http, writer: writer, reader: reader, serviceToken: serviceToken, adminToken: adminToken)

        let hitsBefore = try await client.readerHits()
        var lines: [String] = []
        for (index, change) in changes.enumerated() {
            var delays: [Double] = []
            var polls = 0
            for company in companies[(index * samples)..<((index + 1) * samples)] {
                _ = try await client.token(company)
                guard let old = try await client.token(company) else { throw BenchFailure("the reader hands out no token for \(company)") }
                let path = change == .refresh ? "ups/refresh" : "opt-out"
                let status = try await client.send(.POST, "\(writer)/api/v1/companies/\(company)/\(path)", bearer: adminToken).status
                guard status == 200 else { throw BenchFailure("POST …/\(path) on the writer answered \(status)") }
                let committed = ContinuousClock.now
                while true {
                    polls += 1
                    let answer = try await client.token(company)
                    if answer != old {
                        if change == .optOut, answer != nil { throw BenchFailure("the reader hands out a token after the opt-out") }
                        break
                    }
                    guard ContinuousClock.now - committed < .seconds(10) else {
                        throw BenchFailure("the reader still hands out the old token 10 s after the \(change.rawValue)")
                    }
                }
                let elapsed = (ContinuousClock.now - committed).components
                delays.append(Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
            }
            delays.sort()
            let percentile = { (p: Double) in delays[min(delays.count - 1, Int((Double(delays.count) * p).rounded(.up)) - 1)] }
            let figures = String(
                format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%.1f polls of the reader per sample)", percentile(0.5), percentile(0.99),
                delays.last ?? 0, Double(polls) / Double(delays.count))
            lines.append("  \(change.rawValue) on the writer, \(delays.count) samples: \(figures)")
        }
        let hits = try await client.readerHits() - hitsBefore
        print("invalidation delay (writer's answer → the reader's first answer without the old token):")
        for line in lines { print(line) }
        print(String(format: "  the reader served %.0f of the %d second answers from memory", hits, samples * changes.count))
        guard hits >= Double(samples * changes.count) else {
            throw BenchFailure("the reader's cache served \(hits) of \(samples * changes.count) repeated answers: is IPM_TOKEN_CACHE on?")
        }
    }

    /// The two instances over HTTP.
    private struct Client {
        let http: HTTPClient
        let writer: String
        let reader: String
        let serviceToken: String
        let adminToken: String

        /// The reader's token for the company, or `nil` when it hands out none (409).
        func token(_ company: CompanyID) async throws -> String? {
            let answer = try await send(.GET, "\(reader)/api/v1/companies/\(company)/ups/access-token", bearer: serviceToken)
            switch answer.status {
            case 200:
                let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                return object?["access_token"] as? String
            case 409: return nil
            default: throw BenchFailure("the reader's token API answered \(answer.status): \(answer.body.prefix(300))")
            }
        }

        /// `ipm_token_cache_lookups_total{result="hit"}` of the reader.
        func readerHits() async throws -> Double {
            let text = try await send(.GET, "\(reader)/metrics", bearer: nil).body
            let line = text.split(separator: "\n").first { $0.hasPrefix(#"ipm_token_cache_lookups_total{result="hit"} "#) }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }

        func send(_ method: HTTPMethod, _ url: String, bearer: String?) async throws -> (status: Int, body: String) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
            let response = try await http.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 4 << 20)))
        }
    }
}
