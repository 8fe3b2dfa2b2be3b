import IPMDomain

/// Good enough to tell passwords apart; nothing here is secret.
struct PlaintextPasswordHasher: PasswordHasher {
    func hash(_ password: Password) throws -> String {
        "fake-hash:" + String(password.plaintext.reversed())
    }

    func verify(_ password: Password, against hash: String) -> Bool {
        hash == "fake-hash:" + String(password.plaintext.reversed())
    }
}
