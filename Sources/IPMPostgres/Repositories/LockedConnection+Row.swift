import Foundation
import IPMDomain

// Row ↔ domain mapping. Values stored by the application were validated on the way in;
// a row that no longer validates is a corrupt database.

extension LockedConnection {
    /// A row selected with `UPSConnection.columns` and the token columns.
    init(row: PostgresRow) throws {
        let connection = try UPSConnection(row: row)
        var tokens: SealedTokenPair?
        if let keyID = try row.decode("token_key_id", as: String?.self),
            let access = try row.decode("access_token_sealed", as: [UInt8]?.self),
            let refresh = try row.decode("refresh_token_sealed", as: [UInt8]?.self)
        {
            tokens = SealedTokenPair(
                accessToken: SealedSecret(keyID: keyID, ciphertext: access),
                refreshToken: SealedSecret(keyID: keyID, ciphertext: refresh),
                scope: try row.decode("token_scope", as: String?.self)
            )
        }
        self.init(connection: connection, tokens: tokens, generation: try row.decode("token_generation", as: Int64.self))
    }
}
