import Foundation
import Hummingbird
import HTTPTypes
import IPMDomain

/// A forced refresh that renewed the tokens.
struct ForcedRefreshJSON: Encodable, Sendable {
    let outcome: String
    let detail: String
    let accessTokenExpiresAt: Date?
    let company: CompanyJSON
}
