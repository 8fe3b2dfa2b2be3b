import IPMApp
import Testing

/// The refresh worker's settings: defaults, and one line for a value that cannot work.
@Suite("Refresh settings")
struct RefreshSettingsTests {
    @Test func concurrencyDefaultsToFourAndStaysBelowThePoolSize() throws {
        #expect(try IPMConfiguration.load(environment: [:]).refreshConcurrency == 4)
        #expect(try IPMConfiguration.load(environment: ["IPM_DATABASE_MAX_CONNECTIONS": "3"]).refreshConcurrency == 1)
        #expect(try IPMConfiguration.load(environment: ["IPM_REFRESH_CONCURRENCY": "12", "IPM_DATABASE_MAX_CONNECTIONS": "16"]).refreshConcurrency == 12)
    }

    @Test func aConcurrencyThatWouldTakeEveryPooledConnectionIsRefused() {
        #expect {
            try IPMConfiguration.load(environment: ["IPM_REFRESH_CONCURRENCY": "10"])
        } throws: { error in
            "\(error)" == "IPM_REFRESH_CONCURRENCY: expected fewer than IPM_DATABASE_MAX_CONNECTIONS (10) refreshes at once, got '10'"
        }
        #expect {
            try IPMConfiguration.load(environment: ["IPM_REFRESH_CONCURRENCY": "none"])
        } throws: { error in
            "\(error)" == "IPM_REFRESH_CONCURRENCY: expected a whole number from 1 to 100, got 'none'"
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
