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
