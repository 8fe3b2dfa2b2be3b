import Crypto
import Foundation
import IPMDomain

/// CSRF tokens for forms: HMAC-SHA256 keyed with the browser's own secret cookie (the session
/// token, or before sign-in a random form cookie) over the form's purpose. Another site can
/// neither read that cookie nor compute the token; nothing is stored, so every instance
/// checks every form, and signing out invalidates every form of the session.
enum FormCSRF {
    /// The forms of a signed-in session (and the API's `X-CSRF-Token`).
    static let sessionFormPurpose = "session"
    static let signInFormPurpose = "sign-in"
    static let signUpFormPurpose = "sign-up"

    static func token(cookie: String, purpose: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("ipm-csrf-v1:\(purpose)".utf8), using: SymmetricKey(data: Data(cookie.utf8)))
        return Base64URL.encode(Data(mac))
    }

    /// Compares in constant time.
    static func isValid(_ presented: String?, cookie: String, purpose: String) -> Bool {
        guard let presented else { return false }
        let expected = Array(token(cookie: cookie, purpose: purpose).utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
