public import Foundation
public import IPMDomain

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
    /// How many refreshes one server runs at once (`IPM_REFRESH_CONCURRENCY`); each holds a
    /// pooled database connection for the length of its UPS call.
    public var refreshConcurrency: Int
    /// How long a refresh under way keeps other instances away from its company even if the
    /// database lost its lock (`IPM_REFRESH_LEASE`, seconds); after a crash, its next refresh waits this long.
    public var refreshLease: Int
    /// How long a server trusts a service token it found live before asking the database
    /// again (`IPM_SERVICE_TOKEN_CACHE`, seconds; 0 asks on every request). A revocation
    /// reaches the other instances within it.
    public var serviceTokenCache: Int
    public var logLevel: String
    /// bcrypt cost for new password hashes.
    public var passwordHashCost: Int
    /// Who admins ask for help, shown in the seed's tip on the web pages (`IPM_SUPPORT_CONTACT`).
    public var supportContact: String?
    /// Where state-change events are POSTed (`IPM_WEBHOOK_URL`), signed with `IPM_WEBHOOK_SECRET`.
    public var webhookURL: URL?
    public var webhookSecret: String?

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> IPMConfiguration {
        let settings = try SettingsSource(environment: environment)

        let database: Database
        if let url = settings["IPM_DATABASE_URL"] {
            database = .url(url)
        } else if settings["PGHOST"] != nil || settings["PGSERVICE"] != nil {
            database = .libpqEnvironment
        } else {
            database = .embedded
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
        let refreshConcurrency = try integer(settings, "IPM_REFRESH_CONCURRENCY", default: min(4, max(1, databaseMaxConnections - 2)), range: 1...100)
        // Refreshes hold their connection across the UPS call: pages, the API and readiness need one left.
        guard refreshConcurrency < databaseMaxConnections || databaseMaxConnections == 1 && refreshConcurrency == 1 else {
            throw ConfigurationError("IPM_REFRESH_CONCURRENCY", "expected fewer than IPM_DATABASE_MAX_CONNECTIONS (\(databaseMaxConnections)) refreshes at once, got '\(refreshConcurrency)'")
        }

        return IPMConfiguration(
            database: database,
            stateDirectory: stateDirectory,
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
            logLevel: logLevel,
            passwordHashCost: try integer(settings, "IPM_PASSWORD_HASH_COST", default: 12, range: 4...16),
            supportContact: settings["IPM_SUPPORT_CONTACT"].flatMap { $0.isEmpty ? nil : $0 },
            webhookURL: settings["IPM_WEBHOOK_URL"] == nil ? nil : try url(settings, "IPM_WEBHOOK_URL", default: ""),
            webhookSecret: try webhookSecret(settings)
        )
    }

    /// Required with a webhook URL, and long enough to be a key.
    private static func webhookSecret(_ settings: SettingsSource) throws(ConfigurationError) -> String? {
        guard let secret = settings["IPM_WEBHOOK_SECRET"] else {
            if settings["IPM_WEBHOOK_URL"] != nil {
                throw ConfigurationError("IPM_WEBHOOK_SECRET", "expected a secret of at least 32 characters to sign webhook events (IPM_WEBHOOK_URL is set)")
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

    private static func integer(_ settings: SettingsSource, _ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = settings[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
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
