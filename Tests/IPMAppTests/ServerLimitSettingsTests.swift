import IPMApp
import Testing

/// `ipm-server`'s connection limits and the `/metrics` token (decisions 34, 35): defaults,
/// and one line for a value that cannot work.
@Suite("Server limit settings")
struct ServerLimitSettingsTests {
    @Test func connectionLimitsHaveDefaultsAndRanges() throws {
        let defaults = try IPMConfiguration.load(environment: [:])
        #expect(defaults.httpIdleTimeout == 75)
        #expect(defaults.httpReadTimeout == 30)
        #expect(defaults.httpMaxHeaderBytes == 32_768)
        #expect(defaults.metricsToken == nil)
        let set = try IPMConfiguration.load(environment: [
            "IPM_HTTP_IDLE_TIMEOUT": "5", "IPM_HTTP_READ_TIMEOUT": "7", "IPM_HTTP_MAX_HEADER_BYTES": "65536",
        ])
        #expect(set.httpIdleTimeout == 5 && set.httpReadTimeout == 7 && set.httpMaxHeaderBytes == 65536)
        for (name, value, expected) in [
            ("IPM_HTTP_IDLE_TIMEOUT", "0", "IPM_HTTP_IDLE_TIMEOUT: expected a whole number from 1 to 3600, got '0'"),
            ("IPM_HTTP_READ_TIMEOUT", "soon", "IPM_HTTP_READ_TIMEOUT: expected a whole number from 1 to 3600, got 'soon'"),
            ("IPM_HTTP_MAX_HEADER_BYTES", "100", "IPM_HTTP_MAX_HEADER_BYTES: expected a whole number from 4096 to 1048576, got '100'"),
            (
                "IPM_HTTP_MAX_HEADER_BYTES", "99999999999999999999",
                "IPM_HTTP_MAX_HEADER_BYTES: expected a whole number from 4096 to 1048576, got '99999999999999999999'"
            ),
        ] {
            #expect {
                try IPMConfiguration.load(environment: [name: value])
            } throws: { error in
                "\(error)" == expected
            }
        }
    }

    @Test func aMetricsTokenMustBeLongAndPrintable() throws {
        let token = String(repeating: "m", count: 32)
        #expect(try IPMConfiguration.load(environment: ["IPM_METRICS_TOKEN": token]).metricsToken == token)
        for value in ["short", String(repeating: "m", count: 31), String(repeating: "m", count: 32) + " x"] {
            #expect {
                try IPMConfiguration.load(environment: ["IPM_METRICS_TOKEN": value])
            } throws: { error in
                "\(error)".hasPrefix("IPM_METRICS_TOKEN: expected at least 32 printable characters without spaces") && !"\(error)".contains(value)
            }
        }
    }
}
