import IPMDomain

/// Text from outside (UPS's error messages and codes) made fit for an error message or a
/// log line: secrets we sent are cut out, invisible characters shown as `\u{…}`, length bounded.
enum SafeText {
    static func clean(_ text: String, limit: Int, redacting secrets: [Secret]) -> String {
        var text = text
        // Short values could match innocent words; every secret IPM sends is far longer.
        for secret in secrets where secret.value.count >= 8 {
            text = text.replacing(secret.value, with: "[redacted]")
        }
        text = text.printable
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }
}
