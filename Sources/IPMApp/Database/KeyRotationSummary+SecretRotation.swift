import IPMCLI
import IPMPostgres

/// The CLI's summary of a key rotation, from the database layer's.
extension KeyRotationSummary {
    init(_ summary: SecretRotation.Summary) {
        self.init(
            currentKeyID: summary.currentKeyID, tokenPairs: summary.tokenPairs, verifiers: summary.verifiers,
            unreadable: summary.unreadable, remaining: summary.remaining
        )
    }
}
