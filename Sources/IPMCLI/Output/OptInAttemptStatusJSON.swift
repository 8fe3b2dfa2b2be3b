import Foundation
import IPMDomain

/// `ipm oauth status --json`: an opt-in waiting for UPS, or one that never came back.
struct OptInAttemptStatusJSON: Encodable {
    let state: String
    let startedAt: Date
    let startedBy: String
    let expiresAt: Date
    let message: String

    init(_ attempt: OptInAttempt) {
        state = attempt.state.rawValue
        startedAt = attempt.startedAt
        startedBy = attempt.startedBy
        expiresAt = attempt.expiresAt
        message = attempt.message
    }
}
