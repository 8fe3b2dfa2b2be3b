public import Foundation
public import IPMDomain
public import IPMHTTP

/// Every setting of DESIGN.md, read once at start-up. Defaults make the single-machine
/// demo work with no settings at all.
public struct IPMConfiguration: Sendable {
    /// Where the database is.
    public enum Database: Sendable, Equatable {
        /// `IPM_DATABASE_URL`.
        case url(String)
        /// libpq's own `PG*` variables, service file and `.pgpass` (`PGHOST` or `PGSERVICE` set).
        case libpqEnvironment
        /// The embedded local PostgreSQL under the state directory.
        case embedded
    }

    public var database: Database
    public var stateDirectory: URL
    /// Seconds the embedded PostgreSQL keeps running with no IPM program and no client on it
    /// before it stops by itself (`IPM_EMBEDDED_IDLE_STOP`: `600`, `90s`, `10m`, `1h`; 0 stops
    /// it when the last program using it ends).
    public var embeddedIdleStop: Int
    public var databaseMaxConnections: Int
    public var httpHost: String
    public var httpPort: Int
    public var publicURL: URL
    public var upsBaseURL: URL
    public var upsClientID: String?
    public var upsClientSecret: String?
    public var upsRedirectURI: URL
    public var upsScope: String
    public var upsPKCE: Bool
    public var encryptionKeys: String?
    /// How long before expiry access tokens are renewed (`IPM_REFRESH_MARGIN`, seconds).
    public var refreshMargin: RefreshMargin
    /// How often each server looks for due connections (`IPM_REFRESH_INTERVAL`, seconds).
    public var refreshInterval: Int
    /// How many refreshes one server's worker keeps in flight (`IPM_REFRESH_CONCURRENCY`). A
    /// refresh holds no database connection while UPS answers, only for its claim and its
    /// store: the pool (`IPM_DATABASE_MAX_CONNECTIONS`) bounds those whatever this is.
    public var refreshConcurrency: Int
    /// How long a refresh under way keeps other instances away from its company even if the
    /// database lost its lock (`IPM_REFRESH_LEASE`, seconds); after a crash, its next refresh waits this long.
    public var refreshLease: Int
    /// How long a server trusts a service token it found live before asking the database
    /// again (`IPM_SERVICE_TOKEN_CACHE`, seconds; 0 asks on every request). A revocation
    /// reaches the other instances within it.
    public var serviceTokenCache: Int
    /// Whether `ipm-server` keeps companies' opened access tokens in memory for the token API
    /// and the proxy, dropped on every change PostgreSQL announces (`IPM_TOKEN_CACHE`; decision 66).
    public var tokenCache: Bool
    /// Consecutive transient refresh failures before the admins hear `refresh_failing`
    /// (`IPM_REFRESH_FAILING_AFTER`).
    public var refreshFailingAfter: Int
    /// Seconds between attempts while UPS blocks the merchant (`IPM_BLOCKED_RETRY_INTERVAL`).
    public var blockedRetryInterval: Int
    /// At most one trouble announcement and its `recovered` per company within this many
    /// seconds (`IPM_HEALTH_EVENT_PERIOD`).
    public var healthEventPeriod: Int
    /// `refresh_token_expiring` this many seconds before a refresh token that no refresh
    /// renews ends (`IPM_REFRESH_TOKEN_WARNING`).
    public var refreshTokenWarning: Int
    public var logLevel: String
    /// bcrypt cost for new password hashes.
    public var passwordHashCost: Int
    /// Who admins ask for help, shown in the seed's tip on the web pages (`IPM_SUPPORT_CONTACT`).
    public var supportContact: String?
    /// Where state-change events are POSTed (`IPM_WEBHOOK_URL`), signed with `IPM_WEBHOOK_SECRET`.
    public var webhookURL: URL?
    public var webhookSecret: String?
    /// Reverse proxies whose `X-Forwarded-For` names the client (`IPM_TRUSTED_PROXIES`).
    public var trustedProxies: TrustedProxies
    /// Personal API tokens' default and longest lifetime (`IPM_API_TOKEN_DAYS`, `IPM_API_TOKEN_MAX_DAYS`).
    public var apiTokenLifetimes: APITokenLifetimes
    /// Seconds a connection may stay silent — before a whole request head, between requests,
    /// between parts of a request — before `ipm-server` closes it (`IPM_HTTP_IDLE_TIMEOUT`).
    public var httpIdleTimeout: Int
    /// Seconds a request's body may take to arrive after its head (`IPM_HTTP_READ_TIMEOUT`).
    public var httpReadTimeout: Int
    /// Bytes of request line and headers a request may send (`IPM_HTTP_MAX_HEADER_BYTES`).
    public var httpMaxHeaderBytes: Int
    /// The bearer token `/metrics` requires (`IPM_METRICS_TOKEN`); `nil` leaves it open.
    public var metricsToken: String?

    /// When refreshes happen, how failures slow them down, and when admins hear about it.
    public var refreshPolicy: RefreshPolicy {
        RefreshPolicy(
            margin: refreshMargin, failingThreshold: refreshFailingAfter, blockedRetryInterval: TimeInterval(blockedRetryInterval),
            announcementPeriod: TimeInterval(healthEventPeriod), expiryWarningWindow: TimeInterval(refreshTokenWarning)
        )
    }
    /// How long a webhook delivery is retried before it is marked dead (`IPM_WEBHOOK_GIVE_UP_AFTER`, seconds).
    public var webhookGiveUpAfter: Int
    /// Seconds between two forced refreshes of one company ("Refresh now", `IPM_FORCED_REFRESH_INTERVAL`).
    public var forcedRefreshInterval: Int

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> IPMConfiguration {
        let settings = try SettingsSource(environment: environment)

        var database: Database
        if let url = settings["IPM_DATABASE_URL"] {
            database = .url(url)
        } else if settings["PGHOST"] != nil || settings["PGSERVICE"] != nil {
            database = .libpqEnvironment
        } else {
            database = .embedded
        }
        // IPM_DATABASE_PASSWORD(_FILE): the password kept apart from the URL (decision 60).
        if let password = settings["IPM_DATABASE_PASSWORD"] {
            switch database {
            case .url(let url): database = .url(try SecretFiles.connectionString(url, password: password))
            case .libpqEnvironment: database = .url(try SecretFiles.connectionString("", password: password))
            case .embedded:
                throw ConfigurationError(
                    "IPM_DATABASE_PASSWORD", "expected IPM_DATABASE_URL or PGHOST with it; the embedded PostgreSQL needs no password")
            }
        }

        let stateDirectory: URL
        if let path = settings["IPM_STATE_DIR"] {
            guard path.hasPrefix("/") else {
                throw ConfigurationError("IPM_STATE_DIR", "expected an absolute path, got '\(path)'")
            }
            stateDirectory = URL(fileURLWithPath: path, isDirectory: true)
        } else {
            stateDirectory = Self.defaultStateDirectory(environment: environment)
        }

        let publicURL = try url(settings, "IPM_PUBLIC_URL", default: "http://127.0.0.1:8080")
        let redirect = try url(settings, "IPM_UPS_REDIRECT_URI", default: publicURL.absoluteString.trimmingSuffix("/") + "/oauth/ups/callback")
        let logLevel = settings["IPM_LOG_LEVEL"] ?? "info"
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigurationError("IPM_LOG_LEVEL", "expected trace, debug, info, notice, warning, error or critical, got '\(logLevel)'")
        }

        let databaseMaxConnections = try integer(settings, "IPM_DATABASE_MAX_CONNECTIONS", default: 10, range: 1...500)
        let refreshConcurrency = try integer(settings, "IPM_REFRESH_CONCURRENCY", default: 32, range: 1...1000)

        var trustedProxies = TrustedProxies.none
        if let text = settings["IPM_TRUSTED_PROXIES"] {
            do throws(TrustedProxiesError) {
                trustedProxies = try TrustedProxies(parsing: text)
            } catch {
                throw ConfigurationError("IPM_TRUSTED_PROXIES", error.description)
            }
        }
        let apiTokenMaxDays = try integer(settings, "IPM_API_TOKEN_MAX_DAYS", default: 365, range: 1...3650)
        let apiTokenDays = try integer(settings, "IPM_API_TOKEN_DAYS", default: min(90, apiTokenMaxDays), range: 1...3650)
        guard apiTokenDays <= apiTokenMaxDays else {
            throw ConfigurationError("IPM_API_TOKEN_DAYS", "expected at most IPM_API_TOKEN_MAX_DAYS (\(apiTokenMaxDays)) days, got '\(apiTokenDays)'")
        }

        return IPMConfiguration(
            database: database,
            stateDirectory: stateDirectory,
            embeddedIdleStop: try duration(settings, "IPM_EMBEDDED_IDLE_STOP", default: 600, range: 0...604_800),
            databaseMaxConnections: databaseMaxConnections,
            httpHost: settings["IPM_HTTP_HOST"] ?? "127.0.0.1",
            httpPort: try integer(settings, "IPM_HTTP_PORT", default: 8080, range: 0...65535),
            publicURL: publicURL,
            upsBaseURL: try url(settings, "IPM_UPS_BASE_URL", default: "https://wwwcie.ups.com"),
            upsClientID: settings["IPM_UPS_CLIENT_ID"],
            upsClientSecret: settings["IPM_UPS_CLIENT_SECRET"],
            upsRedirectURI: redirect,
            upsScope: settings["IPM_UPS_SCOPE"] ?? "read",
            upsPKCE: try boolean(settings, "IPM_UPS_PKCE", default: false),
            encryptionKeys: settings["IPM_ENCRYPTION_KEYS"],
            refreshMargin: settings["IPM_REFRESH_MARGIN"] == nil
                ? .standard : .fixed(TimeInterval(try integer(settings, "IPM_REFRESH_MARGIN", default: 300, range: 1...86_400))),
            refreshInterval: try integer(settings, "IPM_REFRESH_INTERVAL", default: 30, range: 1...3600),
            refreshConcurrency: refreshConcurrency,
            refreshLease: try integer(settings, "IPM_REFRESH_LEASE", default: 300, range: 10...3600),
            serviceTokenCache: try integer(settings, "IPM_SERVICE_TOKEN_CACHE", default: 5, range: 0...300),
            tokenCache: try boolean(settings, "IPM_TOKEN_CACHE", default: true),
            refreshFailingAfter: try integer(settings, "IPM_REFRESH_FAILING_AFTER", default: 3, range: 1...1000),
            blockedRetryInterval: try integer(settings, "IPM_BLOCKED_RETRY_INTERVAL", default: 3600, range: 1...604_800),
            healthEventPeriod: try integer(settings, "IPM_HEALTH_EVENT_PERIOD", default: 3600, range: 0...2_592_000),
            refreshTokenWarning: try integer(settings, "IPM_REFRESH_TOKEN_WARNING", default: 604_800, range: 0...31_536_000),
            logLevel: logLevel,
            passwordHashCost: try integer(settings, "IPM_PASSWORD_HASH_COST", default: 12, range: 4...16),
            supportContact: settings["IPM_SUPPORT_CONTACT"].flatMap { $0.isEmpty ? nil : $0 },
            webhookURL: settings["IPM_WEBHOOK_URL"] == nil ? nil : try url(settings, "IPM_WEBHOOK_URL", default: ""),
            webhookSecret: try webhookSecret(settings),
            trustedProxies: trustedProxies,
            apiTokenLifetimes: APITokenLifetimes(defaultDays: apiTokenDays, maximumDays: apiTokenMaxDays),
            httpIdleTimeout: try integer(settings, "IPM_HTTP_IDLE_TIMEOUT", default: 75, range: 1...3600),
            httpReadTimeout: try integer(settings, "IPM_HTTP_READ_TIMEOUT", default: 30, range: 1...3600),
            httpMaxHeaderBytes: try integer(settings, "IPM_HTTP_MAX_HEADER_BYTES", default: 32_768, range: 4096...1_048_576),
            metricsToken: try metricsToken(settings),
            webhookGiveUpAfter: try integer(settings, "IPM_WEBHOOK_GIVE_UP_AFTER", default: 3 * 86_400, range: 1...90 * 86_400),
            forcedRefreshInterval: try integer(settings, "IPM_FORCED_REFRESH_INTERVAL", default: 30, range: 1...86_400)
        )
    }

    /// Long enough not to be guessed, and nothing a header could not carry.
    private static func metricsToken(_ settings: SettingsSource) throws(ConfigurationError) -> String? {
        guard let token = settings["IPM_METRICS_TOKEN"] else { return nil }
        guard token.count >= 32, token.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw ConfigurationError("IPM_METRICS_TOKEN", "expected at least 32 printable characters without spaces, got \(token.count) characters")
        }
        return token
    }

    /// Required with a webhook URL, and long enough to be a key.
    private static func webhookSecret(_ settings: SettingsSource) throws(ConfigurationError) -> String? {
        guard let secret = settings["IPM_WEBHOOK_SECRET"] else {
            if settings["IPM_WEBHOOK_URL"] != nil {
                throw ConfigurationError(
                    "IPM_WEBHOOK_SECRET", "expected a secret of at least 32 characters to sign webhook events (IPM_WEBHOOK_URL is set)")
            }
            return nil
        }
        guard secret.count >= 32 else {
            throw ConfigurationError("IPM_WEBHOOK_SECRET", "expected at least 32 characters, got \(secret.count)")
        }
        return secret
    }

    /// `~/.local/state/ipm`; for root `/var/lib/ipm`, because PostgreSQL must run as an
    /// unprivileged user who cannot reach into root's home (see docs/DECISIONS.md).
    static func defaultStateDirectory(environment: [String: String]) -> URL {
        if geteuid() == 0 {
            return URL(fileURLWithPath: "/var/lib/ipm", isDirectory: true)
        }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("ipm", isDirectory: true)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".local/state/ipm", isDirectory: true)
    }

    private static func integer(
        _ settings: SettingsSource, _ name: String, default value: Int, range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int {
        guard let text = settings[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// Seconds, written as a whole number or with a unit: `45`, `45s`, `10m`, `2h`.
    private static func duration(
        _ settings: SettingsSource, _ name: String, default value: Int, range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int {
        guard let text = settings[name] else { return value }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last, let multiplier = units[last] {
            digits = text.dropLast()
            unit = multiplier
        }
        guard let number = Int(digits), number >= 0, case let (seconds, overflow) = number.multipliedReportingOverflow(by: unit), !overflow,
            range.contains(seconds)
        else {
            throw ConfigurationError(
                name, "expected seconds from \(range.lowerBound) to \(range.upperBound), as 600, 90s, 10m or 1h, got '\(text)'")
        }
        return seconds
    }

    private static func boolean(_ settings: SettingsSource, _ name: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let text = settings[name] else { return value }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(name, "expected true or false, got '\(text)'")
        }
    }

    private static func url(_ settings: SettingsSource, _ name: String, default value: String) throws(ConfigurationError) -> URL {
        let text = settings[name] ?? value
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError(name, "expected an http:// or https:// URL, got '\(text)'")
        }
        return url
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
