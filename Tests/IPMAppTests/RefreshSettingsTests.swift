import IPMApp
import IPMDomain
import Testing

/// The refresh worker's settings: defaults, and one line for a value that cannot work.
@Suite("Refresh settings")
struct RefreshSettingsTests {
    @Test func concurrencyDefaultsTo32WhateverThePoolSize() throws {
        // Refreshes in flight hold no pooled connection while UPS answers (decision 75).
        #expect(try IPMConfiguration.load(environment: [:]).refreshConcurrency == 32)
        #expect(try IPMConfiguration.load(environment: ["IPM_DATABASE_MAX_CONNECTIONS": "3"]).refreshConcurrency == 32)
        #expect(
            try IPMConfiguration.load(environment: ["IPM_REFRESH_CONCURRENCY": "200", "IPM_DATABASE_MAX_CONNECTIONS": "4"]).refreshConcurrency == 200)
    }

    @Test func aConcurrencyOutOfRangeIsRefused() {
        #expect {
            try IPMConfiguration.load(environment: ["IPM_REFRESH_CONCURRENCY": "0"])
        } throws: { error in
            "\(error)" == "IPM_REFRESH_CONCURRENCY: expected a whole number from 1 to 1000, got '0'"
        }
        #expect {
            try IPMConfiguration.load(environment: ["IPM_REFRESH_CONCURRENCY": "none"])
        } throws: { error in
            "\(error)" == "IPM_REFRESH_CONCURRENCY: expected a whole number from 1 to 1000, got 'none'"
        }
    }
}

/// `IPM_SERVICE_TOKEN_CACHE`: seconds a server trusts a live service token (decision 32).
@Suite("Service-token cache setting")
struct ServiceTokenCacheSettingTests {
    @Test func defaultsToFiveSecondsAndZeroTurnsItOff() throws {
        #expect(try IPMConfiguration.load(environment: [:]).serviceTokenCache == 5)
        #expect(try IPMConfiguration.load(environment: ["IPM_SERVICE_TOKEN_CACHE": "0"]).serviceTokenCache == 0)
        #expect {
            try IPMConfiguration.load(environment: ["IPM_SERVICE_TOKEN_CACHE": "forever"])
        } throws: { error in
            "\(error)" == "IPM_SERVICE_TOKEN_CACHE: expected a whole number from 0 to 300, got 'forever'"
        }
    }
}

/// The connection-health settings (decisions 42, 43): defaults, what they make of the refresh
/// policy, and one line for a value that cannot work.
@Suite("Connection health settings")
struct HealthSettingsTests {
    @Test func defaultsAndTheRefreshPolicyTheyMake() throws {
        let defaults = try IPMConfiguration.load(environment: [:]).refreshPolicy
        #expect(defaults.failingThreshold == 3)
        #expect(defaults.blockedRetryInterval == 3600)
        #expect(defaults.announcementPeriod == 3600)
        #expect(defaults.expiryWarningWindow == 7 * 86_400)
        let set = try IPMConfiguration.load(environment: [
            "IPM_REFRESH_FAILING_AFTER": "5", "IPM_BLOCKED_RETRY_INTERVAL": "900", "IPM_HEALTH_EVENT_PERIOD": "0",
            "IPM_REFRESH_TOKEN_WARNING": "86400", "IPM_REFRESH_MARGIN": "120",
        ]).refreshPolicy
        #expect(set.failingThreshold == 5 && set.blockedRetryInterval == 900 && set.announcementPeriod == 0 && set.expiryWarningWindow == 86_400)
        #expect(set.margin == .fixed(120))
    }

    @Test func aValueThatCannotWorkIsOneLine() {
        #expect {
            try IPMConfiguration.load(environment: ["IPM_REFRESH_FAILING_AFTER": "0"])
        } throws: { error in
            "\(error)" == "IPM_REFRESH_FAILING_AFTER: expected a whole number from 1 to 1000, got '0'"
        }
        #expect {
            try IPMConfiguration.load(environment: ["IPM_BLOCKED_RETRY_INTERVAL": "hourly"])
        } throws: { error in
            "\(error)" == "IPM_BLOCKED_RETRY_INTERVAL: expected a whole number from 1 to 604800, got 'hourly'"
        }
    }
}
