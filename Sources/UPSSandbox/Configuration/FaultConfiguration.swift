/// Faults the sandbox injects into the endpoints named in `endpoints`, so the engine's
/// retry and recovery paths can be tested. All off by default.
///
/// Per request, in this order: `latencyMilliseconds` of delay; a 429 while the burst lasts;
/// a dropped connection (closed before the request is processed: nothing changes); a 503;
/// then the request is processed and, for a lost response, the connection is closed
/// without the answer (a refresh token is then consumed although the client never saw
/// the new pair). Before all of these, `blockedMerchant` (every client) or `blockedClients`
/// (those client ids) answer token and refresh calls 403 "Blocked Merchant" and change nothing. Shares are probabilities from 0 to 1 drawn from a generator seeded
/// with `seed`, so a run can be repeated exactly.
public struct FaultConfiguration: Sendable, Codable, Equatable {
    public var latencyMilliseconds: Int
    /// The share of requests answered 503 (code `10503`).
    public var serverErrorShare: Double
    /// The next this-many requests are answered 429 (code `10429`, no rate-limit headers).
    public var tooManyRequestsBurst: Int
    public var droppedConnectionShare: Double
    public var lostResponseShare: Double
    /// The share of requests answered 401 (code `250002`) whatever the token, as UPS does for
    /// an API never added to the app: on `resource` it makes a storm of refused calls.
    public var unauthorizedShare: Double
    /// Default: all of token, refresh and resource.
    public var endpoints: [FaultEndpoint]
    /// Default: a random seed.
    public var seed: UInt64?
    /// Every client's token and refresh calls (of those in `endpoints`) are answered 403
    /// "Blocked Merchant", UPS's documented account-level block, before anything else.
    public var blockedMerchant: Bool
    /// The same for these client ids only.
    public var blockedClients: [String]

    public init(
        latencyMilliseconds: Int = 0,
        serverErrorShare: Double = 0,
        tooManyRequestsBurst: Int = 0,
        droppedConnectionShare: Double = 0,
        lostResponseShare: Double = 0,
        unauthorizedShare: Double = 0,
        endpoints: [FaultEndpoint] = FaultEndpoint.allCases,
        seed: UInt64? = nil,
        blockedMerchant: Bool = false,
        blockedClients: [String] = []
    ) {
        self.latencyMilliseconds = latencyMilliseconds
        self.serverErrorShare = serverErrorShare
        self.tooManyRequestsBurst = tooManyRequestsBurst
        self.droppedConnectionShare = droppedConnectionShare
        self.lostResponseShare = lostResponseShare
        self.unauthorizedShare = unauthorizedShare
        self.endpoints = endpoints
        self.seed = seed
        self.blockedMerchant = blockedMerchant
        self.blockedClients = blockedClients
    }

    /// Whether a call from `clientID` (nil: the call names no client) to `endpoint` is
    /// answered 403 Blocked Merchant.
    func blocks(_ clientID: String?, at endpoint: FaultEndpoint) -> Bool {
        guard endpoint != .resource, endpoints.contains(endpoint) else { return false }
        if blockedMerchant { return true }
        return clientID.map(blockedClients.contains) ?? false
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            latencyMilliseconds: try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? 0,
            serverErrorShare: try container.decodeIfPresent(Double.self, forKey: .serverErrorShare) ?? 0,
            tooManyRequestsBurst: try container.decodeIfPresent(Int.self, forKey: .tooManyRequestsBurst) ?? 0,
            droppedConnectionShare: try container.decodeIfPresent(Double.self, forKey: .droppedConnectionShare) ?? 0,
            lostResponseShare: try container.decodeIfPresent(Double.self, forKey: .lostResponseShare) ?? 0,
            unauthorizedShare: try container.decodeIfPresent(Double.self, forKey: .unauthorizedShare) ?? 0,
            endpoints: try container.decodeIfPresent([FaultEndpoint].self, forKey: .endpoints) ?? FaultEndpoint.allCases,
            seed: try container.decodeIfPresent(UInt64.self, forKey: .seed),
            blockedMerchant: try container.decodeIfPresent(Bool.self, forKey: .blockedMerchant) ?? false,
            blockedClients: try container.decodeIfPresent([String].self, forKey: .blockedClients) ?? []
        )
    }

    var problems: [String] {
        var problems: [String] = []
        if !(0...600_000).contains(latencyMilliseconds) {
            problems.append("faults.latencyMilliseconds: expected 0 to 600000 (ten minutes), got \(latencyMilliseconds)")
        }
        if tooManyRequestsBurst < 0 { problems.append("faults.tooManyRequestsBurst: expected 0 or more, got \(tooManyRequestsBurst)") }
        for (name, share) in [
            ("serverErrorShare", serverErrorShare), ("droppedConnectionShare", droppedConnectionShare), ("lostResponseShare", lostResponseShare),
            ("unauthorizedShare", unauthorizedShare),
        ]
        where !(0...1).contains(share) {
            problems.append("faults.\(name): expected a share from 0 to 1, got \(share)")
        }
        return problems
    }
}

/// The endpoints faults can be injected into.
public enum FaultEndpoint: String, Sendable, Codable, CaseIterable {
    /// `POST /security/v1/oauth/token`
    case token
    /// `POST /security/v1/oauth/refresh`
    case refresh
    /// `GET /api/track/v1/details/{inquiryNumber}`
    case resource
}
